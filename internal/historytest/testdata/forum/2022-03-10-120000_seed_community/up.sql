INSERT INTO users (username, email) VALUES
    ('admin', 'admin@forum.example'),
    ('ferris', 'ferris@forum.example'),
    ('gopher', 'gopher@forum.example');
INSERT INTO canary (migration, step) VALUES ('20220310120000', 'users');

INSERT INTO posts (user_id, title, body, published)
SELECT u.id, p.title, p.body, p.published
FROM (VALUES
    ('admin', 'Welcome to the forum', 'Be kind. Search before you post.', TRUE),
    ('ferris', 'Borrow checker tips', 'Clone less, think in lifetimes.', TRUE),
    ('gopher', 'Draft: error wrapping', 'fmt.Errorf with %w everywhere?', FALSE)
) AS p (author, title, body, published)
JOIN users u ON u.username = p.author;
INSERT INTO canary (migration, step) VALUES ('20220310120000', 'posts');

INSERT INTO comments (post_id, user_id, body)
SELECT p.id, u.id, c.body
FROM (VALUES
    ('Welcome to the forum', 'ferris', 'Hello everyone!'),
    ('Welcome to the forum', 'gopher', 'Glad to be here.'),
    ('Borrow checker tips', 'gopher', 'Or use Rc<RefCell<_>> and weep.')
) AS c (post, author, body)
JOIN posts p ON p.title = c.post
JOIN users u ON u.username = c.author;
INSERT INTO canary (migration, step) VALUES ('20220310120000', 'comments');

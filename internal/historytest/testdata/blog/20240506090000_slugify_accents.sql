-- migrate:up
-- "Tomás" made "tom-s": fold accents before dropping what is left.
CREATE OR REPLACE FUNCTION slugify(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$
BEGIN
    RETURN trim(both '-' from regexp_replace(
        lower(translate(value, 'áàâäãéèêëíìîïóòôöõúùûüçñÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÇÑ',
                               'aaaaaeeeeiiiiooooouuuucnAAAAAEEEEIIIIOOOOOUUUUCN')),
        '[^a-z0-9]+', '-', 'g'));
END
$$;

-- migrate:down
CREATE OR REPLACE FUNCTION slugify(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$
BEGIN
    RETURN trim(both '-' from regexp_replace(lower(value), '[^a-z0-9]+', '-', 'g'));
END
$$;

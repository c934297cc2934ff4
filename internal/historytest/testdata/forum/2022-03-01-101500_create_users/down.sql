DROP TABLE users;
DROP TABLE canary;

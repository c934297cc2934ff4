DROP TABLE products;
DROP TABLE customers;
DROP TABLE canary;

-- Carts live in the storefront's session store since the checkout rewrite.
DROP TABLE cart_items;
DROP TABLE carts;

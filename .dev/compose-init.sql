-- docker-compose: the two roles of DESIGN.md. The owner owns the database and runs migrations; the app role is
-- what the server logs in as, so Row-Level Security always applies to it.
create role fieldops_owner login createdb password 'fieldops_owner';
create role fieldops_app login password 'fieldops_app';
create database fieldops owner fieldops_owner;

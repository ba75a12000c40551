-- Login throttling by key with growing delays (src/domain/user.c): one row
-- per (account, client address) and per client address, counted by one
-- conditional UPSERT, so that the count and the decision are one atomic step
-- (the table of failures it replaces was counted, then inserted into).
DROP TABLE login_failures;

CREATE TABLE login_throttle (
	subject TEXT PRIMARY KEY,              -- 'a:<address> <e-mail>' or 'ip:<address>'
	fails BIGINT NOT NULL,                 -- failures counted, attempts in flight included
	last_ms BIGINT NOT NULL,               -- last attempt counted (epoch milliseconds)
	next_ms BIGINT NOT NULL                -- no attempt of this key before then
);
CREATE INDEX login_throttle_last ON login_throttle(last_ms);

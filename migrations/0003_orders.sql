-- 0003_orders: the catalogue, orders with their lines, and the stock ledger.
-- Money is BIGINT cents, VAT rates basis points (2000 = 20 %), times BIGINT
-- seconds since the epoch.  An order line copies the product's reference,
-- name, type and unit price at order time: later price changes never alter
-- an existing order.  The stock of an organisation is the sum of its
-- stock_movements rows, kept in stock_balances in the same transaction
-- (never negative: CHECK constraint as well as the conditional UPDATE).

CREATE TABLE products (
	id @ID@,
	reference TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	type_label TEXT NOT NULL,
	unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0 AND unit_price_cents <= 100000000),
	proctoring TEXT NOT NULL CHECK (proctoring IN ('partner', 'laposte')),
	active INTEGER NOT NULL DEFAULT 1,
	sort_order INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

INSERT INTO products (reference, name, type_label, unit_price_cents, proctoring, active, sort_order, created_at, updated_at)
VALUES ('PART-CLR-EXAMEN', 'Certification Le Robert', 'Partenaire / centre agréé', 7100, 'partner', 1, 10, 0, 0);
INSERT INTO products (reference, name, type_label, unit_price_cents, proctoring, active, sort_order, created_at, updated_at)
VALUES ('PART-LAPOSTE-EXAMEN', 'Certification Le Robert', 'Partenaire / La Poste', 10000, 'laposte', 1, 20, 0, 0);

CREATE TABLE orders (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	number TEXT UNIQUE,                    -- 'CMD-2026-000123', set right after the insert
	status TEXT NOT NULL DEFAULT 'requested'
		CHECK (status IN ('requested', 'quoted', 'validated', 'cancelled')),
	subtotal_cents BIGINT NOT NULL CHECK (subtotal_cents >= 0),
	vat_bp INTEGER NOT NULL,
	vat_cents BIGINT NOT NULL CHECK (vat_cents >= 0),
	total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
	quote_ref TEXT NOT NULL DEFAULT '',
	idem_key TEXT NOT NULL,                -- hidden token of the order form
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	quoted_at BIGINT,
	validated_at BIGINT,
	cancelled_at BIGINT,
	UNIQUE (org_id, idem_key)
);
CREATE INDEX orders_org ON orders(org_id, id);
CREATE INDEX orders_status ON orders(status, id);

CREATE TABLE order_lines (
	id @ID@,
	order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	product_id BIGINT NOT NULL REFERENCES products(id),
	reference TEXT NOT NULL,
	name TEXT NOT NULL,
	type_label TEXT NOT NULL,
	unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
	quantity BIGINT NOT NULL CHECK (quantity > 0 AND quantity <= 10000),
	amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0)
);
CREATE INDEX order_lines_order ON order_lines(order_id);

CREATE TABLE stock_balances (
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	product_id BIGINT NOT NULL REFERENCES products(id),
	qty BIGINT NOT NULL DEFAULT 0 CHECK (qty >= 0),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, product_id)
);

CREATE TABLE stock_movements (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	product_id BIGINT NOT NULL REFERENCES products(id),
	qty BIGINT NOT NULL CHECK (qty <> 0),  -- signed: + credit, - consumption
	balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
	reason TEXT NOT NULL,
	order_id BIGINT REFERENCES orders(id),
	ref TEXT NOT NULL DEFAULT '',          -- assignment or other source
	actor_id BIGINT REFERENCES users(id),
	at BIGINT NOT NULL
);
CREATE INDEX stock_movements_org ON stock_movements(org_id, product_id, id);
-- an order credits each product at most once (belt and braces: the order's
-- status transition already guarantees it)
CREATE UNIQUE INDEX stock_movements_order ON stock_movements(order_id, product_id) WHERE order_id IS NOT NULL;

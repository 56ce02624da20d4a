"""Synthetic marketplace data for bench/credit_scoring.py, generated inside PostgreSQL with generate_series.

Every order-based component of the credit score has data, with skewed, merchant-specific behaviour:
- merchants: ids 1..N, active; 95% have a profile (90% of those with a founding date, 85% with capital);
- orders: merchant drawn from a power law (the biggest sell tens of thousands of orders, the median a few
  dozen; sizes scattered over the ids, as sign-up order would), placed uniformly over the 100 days before the
  as-of time (so a 90-day window holds about 90%);
  each merchant has its own cancellation, late-shipment, overdue-delivery, untracked, return, complaint and
  review propensities, mostly good with a tail of bad merchants (PARAMS); 90% Asia/Shanghai, 7% Asia/Urumqi,
  3% America/Sao_Paulo; 4% without deliver-by date;
- shipments for the orders handed over (id = order id); most carry an in-transit scan and, once delivered,
  a delivery scan; the merchant's untracked share has none;
- reviews on about 65% of delivered orders, returns / exchanges / refund-only requests, complaints with
  upheld / partly upheld / rejected outcomes and disputes (decided or still running). Some reviews,
  returns and decisions fall after the as-of time, as they would when a past day is scored again.

Loading: foreign-key triggers off for the session (session_replication_role = replica; the generator
keeps the keys consistent), secondary indexes and unique constraints dropped before the inserts and
recreated after from their own definitions, then VACUUM ANALYZE. The result has exactly the schema the
migrations made. Order items are not generated: no component reads them.
"""

import time

# The tables the generator fills, in insertion order.
TABLES = [
    "merchants_merchant",
    "profiles_profile",
    "orders_order",
    "logistics_shipment",
    "logistics_trackingevent",
    "orders_orderreview",
    "orders_returnrequest",
    "complaints_complaint",
    "complaints_dispute",
]

SETUP = """
SET session_replication_role = replica;
SET synchronous_commit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '1GB';
SELECT setseed(0.42);
"""

MERCHANTS = """
INSERT INTO core_region (code, name, level, country, deliverable, parent_id)
VALUES ('310101', 'Huangpu', 'county', 'CN', true, NULL) ON CONFLICT (code) DO NOTHING;
INSERT INTO merchants_merchant (id, created_at, updated_at, name, legal_name, uscc, status, kyc_status, external_ref)
SELECT g, %(t0)s, %(t0)s, 'Bench store ' || g, 'Bench Trading Co. ' || g, '', 'active', 'approved', ''
FROM generate_series(1, %(merchants)s) g;
SELECT setval(pg_get_serial_sequence('merchants_merchant', 'id'), %(merchants)s);
"""

PROFILES = """
INSERT INTO profiles_profile (
    id, created_at, updated_at, merchant_id, registered_capital, founded_on, business_scope, province_code,
    city_code, county_code, address_detail, legal_rep_name, legal_rep_id_number, legal_rep_id_index, contact_name,
    contact_phone, contact_email, bank_name, bank_account_name, bank_account_number, bank_account_index,
    store_logo, logo_name, store_description, payout_hold)
SELECT g, %(t0)s, %(t0)s, g,
       CASE WHEN random() < 0.85 THEN round(power(10, 4 + 4 * random())::numeric, 2) END,
       CASE WHEN random() < 0.9 THEN %(today)s::date - (random() * 15 * 365)::int + 30 END,
       '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', false
FROM generate_series(1, %(merchants)s) g
WHERE random() < 0.95;
SELECT setval(pg_get_serial_sequence('profiles_profile', 'id'), %(merchants)s);
"""

# Each merchant's propensities: one badness per merchant (most merchants good, a tail bad at most things),
# blended with a little noise per metric, so that most merchants meet the targets of policy v1 and a tail misses them
# (late shipments 4%, cancellations 2.5%, untracked 5%, overdue 3%, defects 1%, returns 10%).
PARAMS = """
CREATE TEMP TABLE bench_params AS
SELECT merchant_id,
       0.12 * power(0.75 * bad + 0.25 * random(), 4) AS late_p,
       0.07 * power(0.75 * bad + 0.25 * random(), 4) AS cancel_p,
       0.12 * power(0.75 * bad + 0.25 * random(), 6) AS untracked_p,
       0.10 * power(0.75 * bad + 0.25 * random(), 4) AS overdue_p,
       4.8 - 1.6 * power(0.75 * bad + 0.25 * random(), 3) AS review_mu,
       0.18 * power(0.75 * bad + 0.25 * random(), 3) AS return_p,
       0.025 * power(0.75 * bad + 0.25 * random(), 3) AS complaint_p
FROM (SELECT g AS merchant_id, random() AS bad FROM generate_series(1, %(merchants)s) g) m;
ALTER TABLE bench_params ADD PRIMARY KEY (merchant_id);
ANALYZE bench_params;
"""

ORDERS = """
INSERT INTO orders_order (
    id, created_at, updated_at, merchant_id, external_id, buyer_ref, ship_to_region_id, currency, items_total,
    shipping_fee, total, refunded_amount, payment_type, payment_status, status, placed_at, confirmed_at,
    allocated_at, packed_at, shipped_at, delivered_at, completed_at, cancelled_at, cancel_reason, ship_by,
    deliver_by, time_zone, warehouse_id, carrier, tracking_number)
SELECT id, placed, coalesce(completed, delivered, shipped, cancelled_at, placed), merchant_id, 'BO' || id,
       'buyer-' || buyer, '310101', 'CNY', amount, fee, amount + fee, 0, payment, 'paid',
       CASE WHEN cancelled THEN 'cancelled'
            WHEN completed IS NOT NULL THEN 'completed'
            WHEN delivered IS NOT NULL THEN 'delivered'
            WHEN shipped IS NOT NULL THEN 'shipped'
            WHEN placed > %(as_of)s - interval '6 hours' THEN 'pending'
            ELSE 'packed' END,
       placed,
       CASE WHEN NOT cancelled AND placed <= %(as_of)s - interval '6 hours' THEN placed + interval '10 minutes' END,
       CASE WHEN shipped IS NOT NULL THEN placed + interval '1 hour' END,
       CASE WHEN shipped IS NOT NULL THEN shipped - interval '30 minutes' END,
       shipped, delivered, completed, cancelled_at,
       CASE WHEN cancelled THEN 'buyer asked' ELSE '' END,
       ship_by, deliver_by, zone, NULL,
       CASE WHEN shipped IS NOT NULL THEN 'SF' ELSE '' END,
       CASE WHEN shipped IS NOT NULL THEN 'SF' || lpad(id::text, 10, '0') ELSE '' END
FROM (
    SELECT d.*, CASE WHEN delivered + interval '7 days' < %(as_of)s THEN delivered + interval '7 days' END AS completed
    FROM (
        SELECT s.*,
               CASE WHEN delivered_raw < %(as_of)s THEN delivered_raw END AS delivered
        FROM (
            SELECT h.*,
                   CASE WHEN shipped IS NULL THEN NULL
                        WHEN r_overdue < overdue_p
                            THEN coalesce(deliver_by, placed + interval '5 days')
                                 + (0.3 + 3 * r_transit) * interval '1 day'
                        ELSE shipped + (0.5 + 2.5 * r_transit) * interval '1 day' END AS delivered_raw
            FROM (
                SELECT f.*, CASE WHEN shipped_raw < %(as_of)s THEN shipped_raw END AS shipped
                FROM (
                    SELECT x.*, p.*,
                           x.r_cancel < p.cancel_p AS cancelled,
                           CASE WHEN x.r_cancel < p.cancel_p
                                THEN least(x.placed + x.r_hours * interval '1 day', %(as_of)s - interval '1 second')
                           END AS cancelled_at,
                           x.placed + interval '2 days' AS ship_by,
                           CASE WHEN x.r_dueless < 0.04 THEN NULL
                                WHEN x.r_zone >= 0.9 THEN x.placed + interval '7 days'
                                ELSE x.placed + interval '5 days' END AS deliver_by,
                           CASE WHEN x.r_zone < 0.9 THEN 'Asia/Shanghai'
                                WHEN x.r_zone < 0.97 THEN 'Asia/Urumqi'
                                ELSE 'America/Sao_Paulo' END AS zone,
                           CASE WHEN x.r_cancel < p.cancel_p THEN NULL
                                WHEN x.r_late < p.late_p
                                    THEN x.placed + interval '2 days' + (1 + 71 * x.r_hours) * interval '1 hour'
                                ELSE x.placed + (2 + 44 * x.r_hours) * interval '1 hour' END AS shipped_raw,
                           round((9.9 + 990 * power(x.r_amount, 2))::numeric, 2) AS amount,
                           CASE WHEN x.r_amount < 0.3 THEN 8.00 ELSE 0.00 END AS fee,
                           CASE WHEN x.r_pay < 0.55 THEN 'alipay' WHEN x.r_pay < 0.9 THEN 'wechat_pay'
                                ELSE 'credit_card' END AS payment,
                           (x.r_pay * 1000000)::int AS buyer
                    FROM (
                        SELECT g AS id,
                               1 + (floor(%(merchants)s * power(random(), 2.2))::bigint * 1000003)
                                   %% %(merchants)s AS m,
                               %(as_of)s - random() * interval '100 days' AS placed,
                               random() AS r_cancel, random() AS r_late, random() AS r_hours, random() AS r_transit,
                               random() AS r_overdue, random() AS r_zone, random() AS r_amount, random() AS r_dueless,
                               random() AS r_pay
                        FROM generate_series(1, %(orders)s) g
                    ) x
                    JOIN bench_params p ON p.merchant_id = x.m
                    OFFSET 0
                ) f
                OFFSET 0
            ) h
            OFFSET 0
        ) s
        OFFSET 0
    ) d
) o;
SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %(orders)s);
"""

SHIPMENTS = """
INSERT INTO logistics_shipment (
    id, created_at, updated_at, merchant_id, order_id, carrier_id, carrier_code, tracking_number, status, origin,
    destination, weight_kg, quoted_price, sla_days, shipped_at, eta, last_event_at, status_event_at,
    status_event_rank, delivered_at)
SELECT o.id, o.shipped_at, coalesce(o.delivered_at, o.shipped_at), o.merchant_id, o.id, NULL, 'SF',
       o.tracking_number, t.status, '310000', '310000', 0.500, NULL, 3, o.shipped_at, o.deliver_by,
       CASE t.status WHEN 'delivered' THEN o.delivered_at WHEN 'in_transit' THEN o.shipped_at + interval '3 hours' END,
       CASE t.status WHEN 'delivered' THEN o.delivered_at WHEN 'in_transit' THEN o.shipped_at + interval '3 hours' END,
       CASE t.status WHEN 'delivered' THEN 3 WHEN 'in_transit' THEN 1 ELSE 0 END,
       CASE WHEN t.status = 'delivered' THEN o.delivered_at END
FROM orders_order o
JOIN bench_params p ON p.merchant_id = o.merchant_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN random() < p.untracked_p THEN 'created'
                WHEN o.delivered_at IS NOT NULL THEN 'delivered'
                ELSE 'in_transit' END AS status
) t
WHERE o.shipped_at IS NOT NULL;
SELECT setval(pg_get_serial_sequence('logistics_shipment', 'id'), %(orders)s);
"""

EVENTS = """
INSERT INTO logistics_trackingevent (shipment_id, code, occurred_at, location, description, received_at)
SELECT id, 'in_transit', shipped_at + interval '3 hours', 'Shanghai hub', 'Departed', shipped_at + interval '3 hours'
FROM logistics_shipment WHERE status <> 'created'
UNION ALL
SELECT id, 'delivered', delivered_at, 'Destination', 'Signed for', delivered_at
FROM logistics_shipment WHERE status = 'delivered';
"""

REVIEWS = """
INSERT INTO orders_orderreview (external_id, score, title, comment, created_at, answered_at, order_id)
SELECT '', greatest(1, least(5, round(p.review_mu - CASE WHEN o.delivered_at > o.deliver_by THEN 1.2 ELSE 0 END
                                      + 1.4 * (random() + random() + random() - 1.5))))::smallint,
       '', '', o.delivered_at + random() * interval '6 days', NULL, o.id
FROM orders_order o
JOIN bench_params p ON p.merchant_id = o.merchant_id
WHERE o.delivered_at IS NOT NULL AND random() < 0.65;
"""

RETURNS = """
INSERT INTO orders_returnrequest (
    created_at, updated_at, order_id, type, reason, description, evidence, status, items_value, restocking_fee,
    return_shipping_paid_by, refund_amount, decision_note, decided_at, item_received_at, resolved_at, closed_at)
SELECT t.at, t.at, o.id, t.kind, CASE WHEN t.kind = 'refund_only' THEN 'not_received' ELSE 'defective' END, '',
       '[]'::jsonb, 'requested', o.items_total, 0, 'merchant', NULL, '', NULL, NULL, NULL, NULL
FROM orders_order o
JOIN bench_params p ON p.merchant_id = o.merchant_id
CROSS JOIN LATERAL (
    SELECT o.delivered_at + random() * interval '7 days' AS at,
           (ARRAY['return', 'return', 'return', 'return', 'return', 'return', 'return', 'exchange', 'exchange',
                  'refund_only'])[1 + floor(random() * 10)::int] AS kind
) t
WHERE o.delivered_at IS NOT NULL AND random() < p.return_p;
"""

# Complaints and their disputes are drawn together, so a dispute's outcome is its complaint's outcome.
COMPLAINTS = """
CREATE TEMP TABLE bench_complaints AS
SELECT row_number() OVER () AS id, c.*,
       CASE WHEN NOT c.escalated THEN c.received + random() * interval '4 days'
            WHEN c.dispute_decided THEN c.received + (5 + 15 * random()) * interval '1 day' END AS decided
FROM (
    SELECT o.id AS order_id, o.merchant_id, o.total, o.placed_at + (1 + 10 * random()) * interval '1 day' AS received,
           random() AS r_outcome, random() < 0.15 AS escalated, random() < 0.8 AS dispute_decided
    FROM orders_order o
    JOIN bench_params p ON p.merchant_id = o.merchant_id
    WHERE random() < p.complaint_p
) c;

INSERT INTO complaints_complaint (
    id, created_at, updated_at, merchant_id, order_id, carrier, tracking_number, channel, category, urgency,
    classified_by, classification_confidence, description, complainant_ref, complainant_email, source_ref, status,
    received_at, assigned_to_id, assigned_at, acknowledged_at, ack_due_at, due_at, ack_breached_at,
    resolve_breached_at, supervisor_escalated_at, merchant_response_due_at, merchant_response, merchant_responded_at,
    outcome, remedy, remedy_amount, resolution_note, resolved_at, decided_at, obligation_status, obligation_due_at,
    obligation_done_at, obligation_note, complainant_notified_at, rating, rating_comment, rated_at, closed_at)
SELECT id, received, coalesce(decided, received), merchant_id, order_id, '', '', 'online', 'logistics', 'normal',
       '', NULL, 'Bench complaint', 'buyer-' || order_id, '', '',
       CASE WHEN decided IS NULL THEN 'escalated' ELSE 'resolved' END,
       received, NULL, NULL, NULL, received + interval '1 day', received + interval '3 days', NULL, NULL, NULL,
       NULL, '', NULL,
       CASE WHEN decided IS NULL THEN ''
            WHEN r_outcome < 0.5 THEN 'upheld' WHEN r_outcome < 0.65 THEN 'partly_upheld' ELSE 'rejected' END,
       CASE WHEN decided IS NULL THEN '' WHEN r_outcome < 0.65 THEN 'apology' ELSE 'none' END,
       NULL, '', decided, decided, 'not_required', NULL, NULL, '', NULL, NULL, '', NULL, NULL
FROM bench_complaints;
SELECT setval(pg_get_serial_sequence('complaints_complaint', 'id'), (SELECT count(*) FROM bench_complaints) + 1);

INSERT INTO complaints_dispute (
    created_at, updated_at, complaint_id, merchant_id, stage, stage_due_at, reason, amount, currency,
    merchant_position, merchant_responded_at, mediator_id, arbitrator_id, outcome, award_amount, decision_note,
    decided_at, decided_by_default, litigation_referred_at, litigation_note)
SELECT received + interval '2 days', coalesce(decided, received + interval '2 days'), id, merchant_id,
       CASE WHEN decided IS NULL THEN 'mediation' ELSE 'decided' END,
       CASE WHEN decided IS NULL THEN received + interval '12 days' END,
       'Bench dispute', total, 'CNY', '', NULL, NULL, NULL,
       CASE WHEN decided IS NULL THEN ''
            WHEN r_outcome < 0.5 THEN 'complainant' WHEN r_outcome < 0.65 THEN 'split' ELSE 'merchant' END,
       CASE WHEN decided IS NOT NULL THEN 0 END, '', decided, false, NULL, ''
FROM bench_complaints WHERE escalated;
"""

STEPS = [
    ("merchants", MERCHANTS),
    ("profiles", PROFILES),
    ("merchant propensities", PARAMS),
    ("orders", ORDERS),
    ("shipments", SHIPMENTS),
    ("tracking events", EVENTS),
    ("reviews", REVIEWS),
    ("returns", RETURNS),
    ("complaints and disputes", COMPLAINTS),
]

SECONDARY_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
FROM pg_index i
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
"""


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop every non-primary index (and unique constraint) of the tables; return the statements that
    recreate them exactly."""
    recreate = []
    for table in TABLES:
        cursor.execute(SECONDARY_INDEXES, [table])
        for index, index_def, constraint, constraint_def in cursor.fetchall():
            if constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
            else:
                cursor.execute(f"DROP INDEX {index}")
                recreate.append(index_def)
    return recreate


def generate(dsn: str, *, merchants: int, orders: int, as_of, say=print) -> dict:
    """Fill the (freshly migrated, empty) database on a connection of its own (its session settings end with
    it); returns {table: rows, "seconds": total} and prints each step's time."""
    import psycopg2

    started = time.perf_counter()
    connection = psycopg2.connect(dsn)
    try:
        return _generate(connection, merchants=merchants, orders=orders, as_of=as_of, say=say, started=started)
    finally:
        connection.close()


def _generate(connection, *, merchants: int, orders: int, as_of, say, started: float) -> dict:
    params = {
        "merchants": merchants,
        "orders": orders,
        "as_of": as_of,
        "today": as_of.date(),
        "t0": as_of.replace(year=as_of.year - 2),
    }
    with connection.cursor() as cursor:
        cursor.execute(SETUP)
        recreate = _drop_secondary_indexes(cursor)
        for name, sql in STEPS:
            step = time.perf_counter()
            cursor.execute(sql, params)
            connection.commit()
            say(f"  {name:<24} {time.perf_counter() - step:6.1f} s")
        step = time.perf_counter()
        for statement in recreate:
            cursor.execute(statement)
        connection.commit()
        say(f"  {'indexes and constraints':<24} {time.perf_counter() - step:6.1f} s ({len(recreate)})")
        cursor.execute("DROP TABLE bench_params; DROP TABLE bench_complaints; RESET session_replication_role;")
        connection.commit()
    step = time.perf_counter()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(TABLES))
    say(f"  {'vacuum analyze':<24} {time.perf_counter() - step:6.1f} s")
    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
            counts[table] = cursor.fetchone()[0]
    counts["seconds"] = time.perf_counter() - started
    return counts

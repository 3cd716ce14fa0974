-- What conversation_facts costs a surge text's writes (docs/reports.md, issue #15): 2,000
-- conversations inserted, offered (the router's update) and accepted, one statement each as the
-- app writes them; prints this backend's CPU (10 ms ticks; needs a superuser to read
-- /proc/self/stat) and wall time per statement. On a scratch database with every migration:
--   createdb -h 127.0.0.1 -U postgres facts_bench
--   for f in migrations/*.sql; do psql -h 127.0.0.1 -U postgres -d facts_bench -q -f "$f"; done
--   psql ... -c "insert into queues (key, name) values ('donor', 'Donor') on conflict do nothing" \
--     -c "insert into contacts (id, name) values ('00000000-0000-4000-8000-000000000001', 'Bench')" \
--     -c "insert into agents (id, email, name, password_hash) values ('00000000-0000-4000-8000-000000000002', 'a@b.test', 'A', 'x')"
--   flock /tmp/bench.lock psql -h 127.0.0.1 -U postgres -d facts_bench -f bench/facts-writes.sql
-- (`alter table conversations disable trigger user` first gives the figures without the facts.)
\set n 2000
-- As the app's connections run (src/db/client.ts): every statement planned for its own values.
set plan_cache_mode = force_custom_plan;
create or replace function pg_temp.cpu_ms() returns numeric language sql as $$
  select (split_part(s, ' ', 12)::numeric + split_part(s, ' ', 13)::numeric) * 10
  from (select substr(pg_read_file('/proc/self/stat'), strpos(pg_read_file('/proc/self/stat'), ')') + 2) s) x $$;
create temp table t (op text, cpu numeric, wall numeric);
do $$
declare c0 numeric; w0 timestamptz; ids uuid[] := '{}'; i int; cid uuid; n int := 2000;
begin
  c0 := pg_temp.cpu_ms(); w0 := clock_timestamp();
  for i in 1..n loop
    insert into conversations (contact_id, channel, queue_key, inbox_address, thread_key, metadata)
    values ('00000000-0000-4000-8000-000000000001', 'sms', 'donor', '+15005550006', 'b-' || gen_random_uuid(), '{"from":"x"}')
    returning conversations.id into cid;
    ids := ids || cid;
  end loop;
  insert into t values ('insert', pg_temp.cpu_ms() - c0, extract(epoch from clock_timestamp() - w0) * 1000);
  c0 := pg_temp.cpu_ms(); w0 := clock_timestamp();
  foreach cid in array ids loop
    update conversations c set status = 'offered', first_offered_at = coalesce(c.first_offered_at, clock_timestamp()) where c.id = cid;
  end loop;
  insert into t values ('offer', pg_temp.cpu_ms() - c0, extract(epoch from clock_timestamp() - w0) * 1000);
  c0 := pg_temp.cpu_ms(); w0 := clock_timestamp();
  foreach cid in array ids loop
    update conversations c set status = 'assigned', assignee_id = '00000000-0000-4000-8000-000000000002', accepted_at = now() where c.id = cid;
  end loop;
  insert into t values ('accept', pg_temp.cpu_ms() - c0, extract(epoch from clock_timestamp() - w0) * 1000);
end $$;
select op, round(cpu / :n, 3) as cpu_ms_per_row, round(wall / :n, 3) as wall_ms_per_row from t;

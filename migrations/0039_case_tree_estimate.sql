-- `ek_case_tree` returns a case and the cases inside it: a handful of rows, not the 1,000 the
-- planner assumes for a set-returning function. The true order of magnitude keeps the cost
-- estimates of the availability lookup (one call per booked case) near what it really costs.
alter function ek_case_tree(uuid, uuid) rows 10;

-- rule: context_per_row
-- No policy evaluates a context function once per row: each call sits in its own sub-SELECT (run once per statement), or is compared with the leading column of an index (an index condition).
SELECT 'policy ' || p.policyname || ' on ' || p.schemaname || '.' || p.tablename AS subject,
       'evaluates a context function once per row' AS problem
  FROM pg_catalog.pg_policies p
 CROSS JOIN LATERAL (VALUES (p.qual), (p.with_check)) e(expr)
 WHERE e.expr IS NOT NULL
   AND pg_catalog.regexp_count(e.expr, 'ward\.(current_tenant|current_staff|current_session_id|has_permission|is_member_here|consented_here)\(')
     > pg_catalog.regexp_count(e.expr, 'SELECT ward\.(current_tenant|current_staff|current_session_id|has_permission|is_member_here|consented_here)\(')
       + (SELECT COALESCE(pg_catalog.sum(pg_catalog.regexp_count(e.expr,
                 '\(' || a.attname || ' = ward\.(current_tenant|current_staff|current_session_id)\(\)\)')), 0)
            FROM (SELECT DISTINCT i.indkey[0] AS attnum FROM pg_catalog.pg_index i
                   WHERE i.indrelid = (pg_catalog.quote_ident(p.schemaname) || '.' || pg_catalog.quote_ident(p.tablename))::pg_catalog.regclass) l
            JOIN pg_catalog.pg_attribute a
              ON a.attrelid = (pg_catalog.quote_ident(p.schemaname) || '.' || pg_catalog.quote_ident(p.tablename))::pg_catalog.regclass
             AND a.attnum = l.attnum)

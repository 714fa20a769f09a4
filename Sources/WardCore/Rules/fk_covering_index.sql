-- rule: fk_covering_index
-- Every foreign key has an index led by its columns, so a change to the referenced row never scans the whole table.
SELECT con.conrelid::pg_catalog.regclass::text || ' (' || k.cols || ')' AS subject,
       'foreign key ' || con.conname || ' has no index led by its columns' AS problem
  FROM pg_catalog.pg_constraint con
 CROSS JOIN LATERAL (SELECT pg_catalog.string_agg(a.attname, ', ' ORDER BY u.n) AS cols
                       FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY u(attnum, n)
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = u.attnum) k
 WHERE con.contype = 'f'
   AND con.connamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND NOT EXISTS (
       SELECT 1 FROM pg_catalog.pg_index i
       CROSS JOIN LATERAL (SELECT (pg_catalog.string_to_array(i.indkey::text, ' ')::int2[])[1:pg_catalog.cardinality(con.conkey)] AS lead) l
        WHERE i.indrelid = con.conrelid AND l.lead @> con.conkey AND l.lead <@ con.conkey)

# adopt_pgvector.awk: from vecrbac's install script (stdin), the install script
# of the pseudo-version "adopt_pgvector", used by the in-place migration from pgvector
# (sql/migrate/pgvector_in_place.sql, docs/migrating.md). Run by the Makefile.
#
# It is the same script, except for the types pgvector also defines (vector, and
# halfvec and sparsevec when vecrbac defines them). For each, when a type of that name
# is already in the target schema and belongs to no extension (the migration detached
# it from pgvector's extension, with the columns that use it), the type and its I/O
# functions are ADOPTED instead of created: added to vecrbac, the functions replaced in
# place (same OIDs, now vecrbac's C symbols), and the type's properties checked to be
# exactly those vecrbac would create. Columns keep their type OID, so no table is
# rewritten; the two on-disk formats are the same (src/vector_sql/vector.h). Without
# such a type, the type is created as by the normal script.
BEGIN {
    adoptable["vector"] = 1; adoptable["halfvec"] = 1; adoptable["sparsevec"] = 1
    collecting = 0
}

function shell_block(t) {
    print "DO $adopt$"
    print "DECLARE"
    print "    f pg_catalog.regprocedure;"
    print "BEGIN"
    print "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type t WHERE t.typname = '" t "'"
    print "                   AND t.typnamespace = '@extschema@'::pg_catalog.regnamespace) THEN"
    print "        CREATE TYPE @extschema@." t ";"
    print "    ELSE"
    print "        -- Left by pgvector, detached from its extension (sql/migrate/pgvector_in_place.sql)."
    print "        RAISE NOTICE 'vecrbac: adopting type %, which columns use, with its I/O functions', '@extschema@." t "'::pg_catalog.regtype;"
    print "        ALTER EXTENSION vecrbac ADD TYPE @extschema@." t ";"
    print "        FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p"
    print "                 WHERE p.pronamespace = '@extschema@'::pg_catalog.regnamespace"
    print "                   AND p.proname IN ('" t "_in', '" t "_out', '" t "_typmod_in', '" t "_recv', '" t "_send')"
    print "        LOOP"
    print "            EXECUTE pg_catalog.format('ALTER EXTENSION vecrbac ADD FUNCTION %s', f);"
    print "        END LOOP;"
    print "    END IF;"
    print "END"
    print "$adopt$;"
}

function full_block(t, body,    storage, align, len, m) {
    storage = "p"; align = "i"; len = "-1"
    if (match(body, /STORAGE *= *[a-z]+/)) {
        m = substr(body, RSTART, RLENGTH); sub(/.*= */, "", m)
        storage = (m == "external") ? "e" : (m == "extended") ? "x" : (m == "main") ? "m" : "p"
    }
    if (match(body, /ALIGNMENT *= *[a-z0-9]+/)) {
        m = substr(body, RSTART, RLENGTH); sub(/.*= */, "", m)
        align = (m == "char") ? "c" : (m == "int2") ? "s" : (m == "double") ? "d" : "i"
    }
    if (match(body, /INTERNALLENGTH *= *[0-9]+/)) {
        m = substr(body, RSTART, RLENGTH); sub(/.*= */, "", m); len = m
    }
    print "DO $adopt$"
    print "BEGIN"
    # By name: regtype refuses a shell type.
    print "    IF NOT (SELECT t.typisdefined FROM pg_catalog.pg_type t WHERE t.typname = '" t "'"
    print "            AND t.typnamespace = '@extschema@'::pg_catalog.regnamespace) THEN"
    print "        EXECUTE $def$"
    printf "%s", body
    print "$def$;"
    print "    ELSIF NOT EXISTS ("
    print "        SELECT FROM pg_catalog.pg_type t"
    print "        WHERE t.oid = '@extschema@." t "'::pg_catalog.regtype"
    print "          AND t.typtype = 'b' AND t.typlen = " len " AND NOT t.typbyval"
    print "          AND t.typalign = '" align "' AND t.typstorage = '" storage "'"
    print "          AND t.typoutput <> 0 AND t.typmodout = 0 AND t.typanalyze = 0"
    print "          AND NOT EXISTS (SELECT FROM pg_catalog.unnest(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin]::pg_catalog.oid[]) f(oid)"
    print "                          WHERE f.oid <> 0 AND NOT EXISTS (SELECT FROM pg_catalog.pg_proc p"
    print "                                                          WHERE p.oid = f.oid AND p.probin = 'MODULE_PATHNAME'))) THEN"
    print "        RAISE EXCEPTION 'vecrbac: type % exists but is not the type vecrbac would create (its layout or I/O functions differ)',"
    print "                '@extschema@." t "'::pg_catalog.regtype"
    print "            USING ERRCODE = 'object_not_in_prerequisite_state';"
    print "    END IF;"
    print "END"
    print "$adopt$;"
}

collecting {
    body = body $0 "\n"
    if ($0 ~ /\);[[:space:]]*$/) { collecting = 0; full_block(ctype, body); done[ctype] = 1 }
    next
}
/^CREATE TYPE [a-z]+;$/ {
    t = $3; sub(/;$/, "", t)
    if (t in adoptable) { shell_block(t); seen[t] = 1; next }
}
/^CREATE FUNCTION [a-z]+_(in|out|typmod_in|recv|send)\(/ {
    base = $3; sub(/\(.*/, "", base); sub(/_(in|out|typmod_in|recv|send)$/, "", base)
    if (base in seen) { sub(/^CREATE FUNCTION/, "CREATE OR REPLACE FUNCTION"); print; next }
}
/^CREATE TYPE [a-z]+ *\(/ {
    t = $3; sub(/\(.*/, "", t)
    if (t in seen) {
        ctype = t; body = $0 "\n"
        if ($0 ~ /\);[[:space:]]*$/) { full_block(ctype, body); done[ctype] = 1 } else collecting = 1
        next
    }
}
{ print }
END {
    if (!("vector" in done)) { print "adopt_pgvector.awk: no CREATE TYPE vector found" > "/dev/stderr"; exit 1 }
    for (t in seen) if (!(t in done)) { print "adopt_pgvector.awk: no full CREATE TYPE " t > "/dev/stderr"; exit 1 }
}

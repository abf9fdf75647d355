"""Personal identity numbers: a function that finds them in text, for CHECK constraints.

`contains_personal_identity_number(value)` is the second lock behind the application's check
on the guidance line's free text (`avhopp.platform.identity_numbers`, which reads more forms than
this, never fewer): whatever it finds, the application must find too, or a text the application
accepted would fail its constraint. A candidate has 10 or 12 digits, at most one
separator ("-", "+", space, en dash, no-break space) before the last four, and no digit right
before or after it. It is a match when its last ten digits pass the Luhn check, its birth date
exists (the day less 60 for a samordningsnummer; 29 February as stdnum reads the century), and
a 12-digit number's century is 18, 19 or 20. NULL contains none.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SIGNATURE = "contains_personal_identity_number(text)"

# The pattern is dollar-quoted so that its backslashes mean the same whatever
# standard_conforming_strings says; the regex engine reads \u2013 (en dash) and \u00a0
# (no-break space). mod() rather than %, which the driver would read as a placeholder.
_FUNCTION = r"""
CREATE FUNCTION contains_personal_identity_number(value text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $function$
DECLARE
    parts text[];
    digits text;
    total integer;
    digit integer;
    year integer;
    month integer;
    day integer;
    last_day integer;
    leap boolean;
BEGIN
    IF value IS NULL THEN
        RETURN false;
    END IF;
    FOR parts IN
        SELECT regexp_matches(
            value,
            $pattern$(?<![0-9])((?:[0-9]{2})?)([0-9]{6})([-+ \u2013\u00a0]?)([0-9]{4})(?![0-9])$pattern$,
            'g'
        )
    LOOP
        -- Other centuries are no living person's, and more often account or reference numbers.
        CONTINUE WHEN parts[1] <> '' AND parts[1] NOT IN ('18', '19', '20');
        digits := parts[2] || parts[4];
        total := 0;
        FOR i IN 1..10 LOOP
            digit := substr(digits, i, 1)::integer;
            IF mod(i, 2) = 1 THEN
                digit := digit * 2;
                IF digit > 9 THEN
                    digit := digit - 9;
                END IF;
            END IF;
            total := total + digit;
        END LOOP;
        CONTINUE WHEN mod(total, 10) <> 0;
        year := substr(digits, 1, 2)::integer;
        month := substr(digits, 3, 2)::integer;
        day := substr(digits, 5, 2)::integer;
        -- A samordningsnummer's day of birth has 60 added.
        IF day > 60 THEN
            day := day - 60;
        END IF;
        IF parts[1] <> '' THEN
            year := (parts[1] || substr(digits, 1, 2))::integer;
            leap := mod(year, 4) = 0 AND (mod(year, 100) <> 0 OR mod(year, 400) = 0);
        ELSE
            -- As stdnum reads ten digits (this century or the last): "+" marks a hundred years
            -- or more, so "00" with "+" is 1900, not a leap year; every other "00" is 2000.
            leap := mod(year, 4) = 0 AND NOT (year = 0 AND parts[3] = '+');
        END IF;
        CONTINUE WHEN month NOT BETWEEN 1 AND 12;
        -- A variable rather than a CASE inside IF ... THEN, which PL/pgSQL would end at the first THEN.
        last_day := CASE
            WHEN month = 2 THEN CASE WHEN leap THEN 29 ELSE 28 END
            WHEN month IN (4, 6, 9, 11) THEN 30
            ELSE 31
        END;
        IF day BETWEEN 1 AND last_day THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$function$
"""


def upgrade() -> None:
    op.execute(_FUNCTION)
    # A CHECK constraint calls it with the writing role's privileges; functions are PUBLIC by
    # default, but like the tables it is granted only to the role that writes (the owner keeps it).
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {_SIGNATURE}")

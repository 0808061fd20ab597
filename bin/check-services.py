"""Say in one line which of DATABASE_URL and REDIS_URL cannot be reached, before a long run."""

import os
import sys

import dj_database_url
import psycopg
import redis


def main():
    problems = []
    database = dj_database_url.parse(os.environ["DATABASE_URL"])
    try:
        psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            password=database["PASSWORD"] or None,
            host=database["HOST"],
            port=database["PORT"] or 5432,
            connect_timeout=5,
        ).close()
    except psycopg.Error as error:
        problems.append(f"PostgreSQL at {database['HOST']}:{database['PORT']} ({error})".strip())
    try:
        redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {os.environ['REDIS_URL']} ({error})")
    if problems:
        sys.exit("Cannot reach " + "; ".join(problems))


if __name__ == "__main__":
    main()

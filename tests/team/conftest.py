from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import redis

from tests.team.servers import PostgresServer, RedisServer


@pytest.fixture(scope="session")
def redis_session() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(redis_session: RedisServer) -> RedisServer:
    """The session's Redis, running and empty."""
    if redis_session.process is None:
        redis_session.start()
    redis.Redis.from_url(redis_session.url).flushall()
    return redis_session


@pytest.fixture(scope="session")
def postgres_session() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres(postgres_session: PostgresServer) -> PostgresServer:
    """The session's PostgreSQL, running, with no journal tables."""
    try:
        psycopg.connect(postgres_session.dsn, connect_timeout=2).close()
    except psycopg.OperationalError:
        postgres_session.start()
    with psycopg.connect(postgres_session.dsn, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return postgres_session

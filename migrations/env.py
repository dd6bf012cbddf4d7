import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")


def get_engine():
    # Flask-SQLAlchemy 3: `get_engine()` is deprecated (a warning, an error under pytest).
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys_off(connection)
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _sqlite_check_foreign_keys(connection)
        finally:
            if sqlite:
                # The app's connections all have foreign keys on: this one must not go back
                # to the pool without them. (An in-memory SQLite database lives and dies with
                # its one connection: migrating one this way leaves nothing behind.)
                connection.invalidate()


def _sqlite_foreign_keys_off(connection):
    """Turn SQLite's foreign keys off for the migrations.

    A batch operation rebuilds a table: copy, DROP TABLE, rename. With foreign keys on, the
    DROP TABLE first deletes every row, which runs the ON DELETE actions of the rows pointing
    at it in other tables (SET NULL, CASCADE) and so loses their data. The pragma is a no-op
    inside a transaction, hence the DBAPI connection (which begins none by itself).
    """
    dbapi_connection = connection.connection.dbapi_connection
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    if dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
        raise RuntimeError("could not turn SQLite foreign keys off for the migrations")


def _sqlite_check_foreign_keys(connection):
    """What foreign keys would have refused while they were off must not have happened."""
    problems = connection.connection.dbapi_connection.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"foreign keys are broken after the migrations: {problems[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

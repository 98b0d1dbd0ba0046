//! The statement helpers every migration uses: the column builders they share (ids,
//! timestamps), foreign keys, indexes, and the one-statement steps (`ALTER TABLE … ADD/DROP
//! COLUMN`, `CREATE INDEX`, `DROP TABLE`).
//!
//! Each helper builds exactly the statement the migrations used to spell out in place, so a
//! released migration still produces the same SQL, on SQLite and PostgreSQL alike. Change one
//! only together with a check that no migration's output moves.

use sea_orm_migration::prelude::*;

// ---------------------------------------------------------------- columns

/// `BIGINT` auto-increment primary key.
pub fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// `TIMESTAMP WITH TIME ZONE NOT NULL`.
pub fn timestamp(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}

/// `TIMESTAMP WITH TIME ZONE NULL` (the `NULL` spelled out).
pub fn timestamp_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
}

// ----------------------------------------------------------- foreign keys

/// Unnamed single-column foreign key `from_table.from_col -> to_table.id` (every Maildesk
/// table's key is `id`). Declared inside `CREATE TABLE`: SQLite cannot add one later.
pub fn unnamed_fk(
    from_table: impl IntoTableRef,
    from_col: impl IntoIden,
    to_table: impl IntoTableRef,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// [`unnamed_fk`] with a constraint name.
pub fn fk(
    name: &str,
    from_table: impl IntoTableRef,
    from_col: impl IntoIden,
    to_table: impl IntoTableRef,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    unnamed_fk(from_table, from_col, to_table, on_delete)
        .name(name)
        .to_owned()
}

// ---------------------------------------------------------------- indexes

/// `CREATE INDEX IF NOT EXISTS name ON table (col)`.
pub fn index(name: &str, table: impl IntoTableRef, col: impl IntoIndexColumn) -> IndexCreateStatement {
    Index::create()
        .if_not_exists()
        .name(name)
        .table(table)
        .col(col)
        .to_owned()
}

/// `CREATE INDEX name ON table (cols…)`, built without `IF NOT EXISTS`.
fn plain_index<C: IntoIndexColumn>(
    name: &str,
    table: impl IntoTableRef,
    cols: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index
}

/// Runs `CREATE INDEX name ON table (cols…)`.
pub async fn create_index<C: IntoIndexColumn>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoTableRef,
    cols: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    manager.create_index(plain_index(name, table, cols)).await
}

/// Runs `CREATE UNIQUE INDEX name ON table (cols…)`.
pub async fn create_unique_index<C: IntoIndexColumn>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoTableRef,
    cols: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    manager
        .create_index(plain_index(name, table, cols).unique().to_owned())
        .await
}

// ----------------------------------------------------------------- tables

/// Runs `ALTER TABLE table ADD COLUMN column`.
pub async fn add_column(manager: &SchemaManager<'_>, table: impl IntoTableRef, column: ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

/// [`add_column`] for each column in turn: SQLite takes one change per `ALTER TABLE`.
pub async fn add_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoTableRef,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    let table = table.into_table_ref();
    for column in columns {
        add_column(manager, table.clone(), column).await?;
    }
    Ok(())
}

/// Runs `ALTER TABLE table DROP COLUMN column`.
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl IntoTableRef,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

/// [`drop_column`] for each column in turn.
pub async fn drop_columns<C: IntoIden>(
    manager: &SchemaManager<'_>,
    table: impl IntoTableRef,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let table = table.into_table_ref();
    for column in columns {
        drop_column(manager, table.clone(), column).await?;
    }
    Ok(())
}

/// Runs `DROP TABLE table`.
pub async fn drop_table(manager: &SchemaManager<'_>, table: impl IntoTableRef) -> Result<(), DbErr> {
    manager.drop_table(Table::drop().table(table).to_owned()).await
}

//! The application user reads and writes rows and can change no schema; the migration user can
//! migrate. Created through the same statements the first deploy runs on RDS (with passwords
//! here, IAM tokens there).

use sqlx::mysql::MySqlConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, MySqlConnection};
use taskboard_mysql::db;
use taskboard_mysql::roles::{RoleAuth, RoleError, RoleNames, drop_roles, ensure_roles};
use taskboard_testing::{TestDb, server_url};

struct Roles {
    app: String,
    migrate: String,
}

impl Roles {
    fn new() -> Self {
        let id = &uuid::Uuid::new_v4().simple().to_string()[..12];
        Self {
            app: format!("tba_{id}"),
            migrate: format!("tbm_{id}"),
        }
    }

    fn names<'a>(&'a self, database: &'a str) -> RoleNames<'a> {
        RoleNames {
            database,
            app: &self.app,
            migrate: &self.migrate,
        }
    }
}

async fn admin() -> MySqlConnection {
    let opts: MySqlConnectOptions = server_url().parse().expect("TEST_DATABASE_URL");
    opts.connect()
        .await
        .expect("connect as the test administrator")
}

async fn connect_as(
    user: &str,
    password: &str,
    database: &str,
) -> Result<MySqlConnection, sqlx::Error> {
    let opts: MySqlConnectOptions = server_url().parse().expect("TEST_DATABASE_URL");
    opts.username(user)
        .password(password)
        .database(database)
        .connect()
        .await
}

fn is_denied(err: &sqlx::Error) -> bool {
    // 1142: command denied; 1044: access denied to the database.
    matches!(err, sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("42000")))
}

#[tokio::test]
async fn the_application_user_writes_rows_but_cannot_change_the_schema() {
    let db = TestDb::new().await;
    let roles = Roles::new();
    let mut admin = admin().await;
    // A quote in a password is doubled, not escaped with a backslash.
    let auth = || RoleAuth::Passwords {
        app: "app'pw",
        migrate: "migrate-pw",
    };
    ensure_roles(&mut admin, &roles.names(&db.name), auth())
        .await
        .unwrap();

    let mut app = connect_as(&roles.app, "app'pw", &db.name).await.unwrap();
    for write in [
        "INSERT INTO projects (id, name, created_at) VALUES (UUID(), 'Launch', NOW(6))",
        "UPDATE projects SET name = 'Launch day'",
        "DELETE FROM projects WHERE name = 'Launch day'",
    ] {
        app.execute(write).await.expect(write);
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    for ddl in [
        "CREATE TABLE intruder (id INT)",
        "DROP TABLE tasks",
        "ALTER TABLE tasks ADD COLUMN x INT",
        "TRUNCATE TABLE tasks",
    ] {
        let err = app.execute(ddl).await.expect_err(ddl);
        assert!(is_denied(&err), "{ddl}: {err}");
    }
    let err = app
        .execute(sqlx::AssertSqlSafe(format!(
            "GRANT SELECT ON `{}`.* TO '{}'@'%'",
            db.name, roles.migrate
        )))
        .await
        .expect_err("the application user cannot grant");
    assert!(is_denied(&err), "{err}");

    // Running it again (every deploy may) changes nothing and fails nothing.
    ensure_roles(&mut admin, &roles.names(&db.name), auth())
        .await
        .unwrap();
    drop_roles(&mut admin, &roles.names(&db.name))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_migration_user_migrates_its_database_and_no_other() {
    let fresh = format!("tb_test_{}", uuid::Uuid::new_v4().simple());
    let other = TestDb::new().await;
    let roles = Roles::new();
    let mut admin = admin().await;
    ensure_roles(
        &mut admin,
        &roles.names(&fresh),
        RoleAuth::Passwords {
            app: "app-pw",
            migrate: "migrate-pw",
        },
    )
    .await
    .unwrap();

    let mut migrate = connect_as(&roles.migrate, "migrate-pw", &fresh)
        .await
        .unwrap();
    db::MIGRATOR
        .run(&mut migrate)
        .await
        .expect("the migration user applies every migration");
    let err = connect_as(&roles.migrate, "migrate-pw", &other.name)
        .await
        .expect_err("another database is out of reach");
    assert!(
        matches!(&err, sqlx::Error::Database(e) if e.code().as_deref() == Some("42000")),
        "{err}"
    );
    migrate.close().await.unwrap();

    drop_roles(&mut admin, &roles.names(&fresh)).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE `{fresh}`")))
        .await
        .unwrap();
}

#[tokio::test]
async fn names_that_are_not_plain_identifiers_are_refused_before_any_statement() {
    let mut admin = admin().await;
    let names = RoleNames {
        database: "taskboard",
        app: "app'@'%' IDENTIFIED BY 'x'; --",
        migrate: "tbm_ok",
    };
    let err = ensure_roles(&mut admin, &names, RoleAuth::Iam)
        .await
        .unwrap_err();
    assert!(matches!(err, RoleError::BadName(_)), "{err}");
}

//! `taskboard`: the local stack and the admin tasks.
//!
//! ```text
//! taskboard dev          bootstrap + migrate, then serve the site and the API on one origin
//! taskboard bootstrap    create the DynamoDB tables in the emulator (or any AWS_ENDPOINT_URL)
//! taskboard migrate      apply the MySQL migrations to DATABASE_URL
//! taskboard create-user  add an account (reads the password from standard input)
//! taskboard mailbox      the e-mail the local stack sent, newest first
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use taskboard_cli::{admin, dev_server, mailbox};
use taskboard_core::config::ProcessEnv;

#[derive(Parser)]
#[command(name = "taskboard", about = "Taskboard's local stack and admin tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bootstrap, migrate, then serve web/ at / and the functions under /api.
    Dev {
        /// Address to listen on.
        #[arg(long, env = "DEV_ADDR", default_value = "127.0.0.1:3000")]
        addr: std::net::SocketAddr,
        /// The static site to serve at /.
        #[arg(long, env = "WEB_DIR", default_value = "web")]
        web_dir: std::path::PathBuf,
        /// Do not run the relay schedule and the notifier queue (for benchmarks of the API alone).
        #[arg(long)]
        no_workers: bool,
    },
    /// Create the DynamoDB tables the functions use (names from their *_TABLE variables).
    Bootstrap,
    /// Create the database if needed and apply the MySQL migrations to DATABASE_URL.
    Migrate,
    /// Print the DynamoDB tables and the notifier's rule pattern the code expects, as JSON
    /// (the infrastructure drift check compares them with infra/template.yaml).
    Schema,
    /// List the e-mail the local stack sent (the emulator's SES), newest first.
    Mailbox {
        /// Show at most this many messages.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Create an account (its address counts as verified); the password is read from standard
    /// input (one line). `--admin` makes it an administrator: the way to make the first account.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    taskboard_core::telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dev {
            addr,
            web_dir,
            no_workers,
        } => dev_server::run(&ProcessEnv, addr, web_dir, !no_workers).await,
        Command::Bootstrap => admin::bootstrap(&ProcessEnv).await.map(|_| ()),
        Command::Migrate => admin::migrate(&ProcessEnv).await,
        Command::Schema => {
            println!("{}", admin::schema());
            Ok(())
        }
        Command::Mailbox { limit } => mailbox::print(&ProcessEnv, limit).await,
        Command::CreateUser { email, name, admin } => {
            admin::create_user(&ProcessEnv, &email, &name, admin).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("taskboard: {err}");
            ExitCode::FAILURE
        }
    }
}

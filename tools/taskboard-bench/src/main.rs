//! `make bench`: Taskboard's performance budgets (docs/decisions.md#budgets), measured side by side in one run.
//!
//! 1. Cold start of each function through a Runtime API on loopback, beside a hello-world floor.
//! 2. Warm requests through the dev server against MariaDB with thousands of tasks, beside the
//!    same SQL run directly with sqlx at the same concurrency.
//! 3. Sign-in beside a bare argon2id verification.
//! 4. Notifier throughput with SES in the emulator.
//! 5. Release binary sizes and peak memory under load.
//!
//! Prints one table and writes `bench-results/results.{json,md}`. Run from the repository root by
//! `scripts/bench.sh`, which starts MariaDB and the emulator and builds the release binaries.

mod cold;
mod dataset;
mod lambda_event;
mod memory;
mod report;
mod warm;

use std::path::PathBuf;

use report::Report;

fn bin(name: &str) -> PathBuf {
    PathBuf::from(format!("target/lambda/{name}/bootstrap"))
}

#[tokio::main]
async fn main() {
    let out_dir = PathBuf::from("bench-results");
    std::fs::create_dir_all(&out_dir).expect("create bench-results/");
    let mut report = Report::new();

    eprintln!("[1/5] preparing the data set (users, thousands of tasks)");
    let data = dataset::Dataset::create().await;

    eprintln!("[2/5] cold starts");
    report.cold = cold::run(&data).await;

    eprintln!("[3/5] warm requests and sign-in through the dev server, and their floors");
    let (warm, login) = warm::run(&data, &out_dir).await;
    report.warm = warm;
    report.login = Some(login);

    eprintln!("[4/5] notifier throughput");
    report.notifier = Some(warm::notifier_throughput(&data).await);

    eprintln!("[5/5] binary sizes and peak memory");
    report.sizes = memory::sizes();
    report.memory = memory::peak(&data).await;

    report.finish(&out_dir);
    data.drop().await;
}

//! `make soak`: run the soak at full size and print its reconciliation table; exit 1 if anything
//! was lost or doubled beyond the known window. `make test` runs a smaller one
//! (`tests/soak.rs`).

use clap::Parser;
use taskboard_soak::{SoakConfig, run};

#[derive(Parser)]
#[command(about = "Task changes under injected faults, then every change and e-mail reconciled")]
struct Args {
    /// Task changes to make (creations, moves, renames).
    #[arg(long, default_value_t = 1000)]
    changes: usize,
    /// People making them at once.
    #[arg(long, default_value_t = 6)]
    people: usize,
    /// Seed for every random choice (faults, actions, kills): the same seed, the same run.
    #[arg(long, default_value_t = 14)]
    seed: u64,
    /// Chance of a fault on each AWS call (0 to 1).
    #[arg(long, default_value_t = 0.05)]
    fault_rate: f64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    taskboard_core::telemetry::init();
    let args = Args::parse();
    let report = run(SoakConfig {
        changes: args.changes,
        people: args.people,
        seed: args.seed,
        fault_rate: args.fault_rate,
    })
    .await;
    println!("{}", report.table());
    if report.passed() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

//! The soak at the size `make test` can afford (`make soak` runs a thousand changes): fails on
//! any lost change, lost e-mail, unexplained duplicate or plain 500.

use taskboard_soak::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_under_faults_lose_and_double_nothing() {
    taskboard_core::telemetry::init();
    let report = run(SoakConfig {
        changes: 200,
        people: 4,
        seed: 14,
        fault_rate: 0.05,
    })
    .await;
    println!("{}", report.table());
    assert!(report.passed(), "{}", report.table());
    let injected: u64 = report.faults.values().sum();
    assert!(injected > 20, "faults were injected: {:?}", report.faults);
}

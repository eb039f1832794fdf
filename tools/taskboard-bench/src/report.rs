//! The table: printed, and written as JSON and Markdown into `bench-results/`.

use std::fmt::Write;
use std::path::Path;

use serde_json::json;

pub struct ColdRow {
    pub function: String,
    pub init_ms: f64,
    pub first_response_ms: f64,
    pub floor_ms: f64,
    pub ratio: f64,
    /// First response against the current-thread hello-world (the functions' own runtime flavour).
    pub current_thread_ratio: f64,
}

pub struct WarmRow {
    pub operation: String,
    pub concurrency: usize,
    pub api_rps: f64,
    pub api_p50_ms: f64,
    pub api_p99_ms: f64,
    pub sql_rps: f64,
    pub sql_p50_ms: f64,
    pub sql_p99_ms: f64,
    pub ratio: f64,
    /// p50 of the AWS calls the handler makes (session read; relay puts for writes).
    pub aws_p50_ms: f64,
    /// API p50 / (SQL p50 + AWS p50): what the code itself adds.
    pub overhead_ratio: f64,
}

pub struct LoginRow {
    pub login_p50_ms: f64,
    pub argon2_verify_p50_ms: f64,
    pub ratio: f64,
}

pub struct NotifierRow {
    pub events: usize,
    pub emails: usize,
    pub concurrency: usize,
    pub events_per_sec: f64,
}

pub struct SizeRow {
    pub function: String,
    pub bytes: u64,
}

pub struct MemoryRow {
    pub function: String,
    pub load: String,
    pub peak_mib: f64,
}

#[derive(Default)]
pub struct Report {
    pub cold: Vec<ColdRow>,
    pub warm: Vec<WarmRow>,
    pub login: Option<LoginRow>,
    pub notifier: Option<NotifierRow>,
    pub sizes: Vec<SizeRow>,
    pub memory: Vec<MemoryRow>,
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT MET" }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!(
        "{cores} cores ({cpu}), {mem_gib:.0} GiB, x86-64 release builds (cargo lambda --x86-64)"
    )
}

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "Measured {} on {}.\n",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            machine()
        );
        md.push_str("**Cold start** (process start → first response through the Runtime API; median of 15)\n\n");
        md.push_str("| function | init ms | first response ms | hello-world floor ms | ratio | budget ≤ 1.5× | ratio to a current-thread hello-world |\n|---|---:|---:|---:|---:|---|---:|\n");
        for r in &self.cold {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {:.2} |",
                r.function,
                r.init_ms,
                r.first_response_ms,
                r.floor_ms,
                r.ratio,
                verdict(r.ratio <= 1.5),
                r.current_thread_ratio
            );
        }
        md.push_str("\n**Warm requests** (dev server + MariaDB, 40 users, 5,000 tasks; SQL = the statements the handler runs, the inline relay's included, through sqlx; AWS calls = its session read and, for writes, the inline relay's change-log put of the same events; since issue 16 no PutEvents on the write path)\n\n");
        md.push_str("| operation | conc. | API req/s | API p50 ms | API p99 ms | SQL req/s | SQL p50 ms | SQL p99 ms | API/SQL p50 | budget ≤ 1.3× | AWS calls p50 ms | API/(SQL+AWS) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for r in &self.warm {
            let _ = writeln!(
                md,
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
                r.operation,
                r.concurrency,
                r.api_rps,
                r.api_p50_ms,
                r.api_p99_ms,
                r.sql_rps,
                r.sql_p50_ms,
                r.sql_p99_ms,
                r.ratio,
                verdict(r.ratio <= 1.3),
                r.aws_p50_ms,
                r.overhead_ratio,
            );
        }
        if let Some(l) = &self.login {
            let _ = writeln!(
                md,
                "\n**Sign-in**: p50 {:.1} ms through the API; bare argon2id verify (m=19456, t=2, p=1) p50 {:.1} ms; ratio {:.2}",
                l.login_p50_ms, l.argon2_verify_p50_ms, l.ratio
            );
        }
        if let Some(n) = &self.notifier {
            let _ = writeln!(
                md,
                "\n**Notifier**: {:.1} events/s ({} events, {} e-mails, {} at a time, SES and DynamoDB in the emulator)",
                n.events_per_sec, n.events, n.emails, n.concurrency
            );
        }
        md.push_str("\n**Release binaries** (stripped; these are the x86-64 builds, a conservative proxy: the budget is for the deployed arm64 binaries, which measured ~20 % smaller, and the deploy workflow checks those)\n\n| function | size MB | budget < 10 MB |\n|---|---:|---|\n");
        for s in &self.sizes {
            let mb = s.bytes as f64 / 1e6;
            let _ = writeln!(
                md,
                "| {} | {:.2} | {} |",
                s.function,
                mb,
                verdict(s.bytes > 0 && mb < 10.0)
            );
        }
        md.push_str("\n**Peak memory** (VmHWM after the load)\n\n| function | load | peak MiB | budget < 64 MiB |\n|---|---|---:|---|\n");
        for m in &self.memory {
            let _ = writeln!(
                md,
                "| {} | {} | {:.1} | {} |",
                m.function,
                m.load,
                m.peak_mib,
                verdict(m.peak_mib < 64.0)
            );
        }
        md
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "machine": machine(),
            "measured_at": chrono::Utc::now().to_rfc3339(),
            "cold_start": self.cold.iter().map(|r| json!({"function": r.function, "init_ms": r.init_ms, "first_response_ms": r.first_response_ms, "floor_ms": r.floor_ms, "ratio": r.ratio, "budget_met": r.ratio <= 1.5, "current_thread_ratio": r.current_thread_ratio})).collect::<Vec<_>>(),
            "warm": self.warm.iter().map(|r| json!({"operation": r.operation, "concurrency": r.concurrency, "api": {"rps": r.api_rps, "p50_ms": r.api_p50_ms, "p99_ms": r.api_p99_ms}, "sql": {"rps": r.sql_rps, "p50_ms": r.sql_p50_ms, "p99_ms": r.sql_p99_ms}, "ratio": r.ratio, "budget_met": r.ratio <= 1.3, "aws_calls_p50_ms": r.aws_p50_ms, "api_over_sql_plus_aws": r.overhead_ratio})).collect::<Vec<_>>(),
            "login": self.login.as_ref().map(|l| json!({"login_p50_ms": l.login_p50_ms, "argon2_verify_p50_ms": l.argon2_verify_p50_ms, "ratio": l.ratio})),
            "notifier": self.notifier.as_ref().map(|n| json!({"events_per_sec": n.events_per_sec, "events": n.events, "emails": n.emails, "concurrency": n.concurrency})),
            "sizes": self.sizes.iter().map(|s| json!({"function": s.function, "bytes": s.bytes, "budget_met": s.bytes > 0 && s.bytes < 10_000_000})).collect::<Vec<_>>(),
            "peak_memory": self.memory.iter().map(|m| json!({"function": m.function, "load": m.load, "peak_mib": m.peak_mib, "budget_met": m.peak_mib < 64.0})).collect::<Vec<_>>(),
        })
    }

    pub fn finish(&self, out_dir: &Path) {
        let md = self.markdown();
        println!("\n{md}");
        std::fs::write(out_dir.join("results.md"), &md).expect("write results.md");
        std::fs::write(
            out_dir.join("results.json"),
            serde_json::to_string_pretty(&self.json()).unwrap_or_default(),
        )
        .expect("write results.json");
        eprintln!("written to {}/results.{{md,json}}", out_dir.display());
    }
}

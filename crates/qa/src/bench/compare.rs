//! `functional bench --compare`: the same run with ferrobgp, BIRD 2 and
//! ExaBGP one after the other, every figure printed next to the others with
//! ferrobgp's ratio to each.

use super::Report;
use std::fmt::Write as _;

/// Whether a larger value of figure `name` is better (rates) or worse
/// (times, memory, CPU).
fn larger_is_better(name: &str) -> bool {
    name.ends_with("per_second")
}

/// The comparison table: one row per figure of the first report, one column
/// per daemon, then ferrobgp's ratio to each other daemon written so that
/// above 1 means ferrobgp is better (`x2.0` twice as fast or half the
/// memory). `reports` holds (name, report or the reason it is missing).
pub fn table(reports: &[(String, Result<Report, String>)]) -> String {
    let mut out = String::new();
    let Some((first_name, Ok(first))) = reports.first() else {
        return "no ferrobgp report to compare\n".into();
    };
    let _ = write!(out, "{:<22}", "figure");
    for (name, _) in reports {
        let _ = write!(out, " {name:>14}");
    }
    for (name, _) in &reports[1..] {
        let _ = write!(out, " {:>14}", format!("vs {name}"));
    }
    out.push('\n');
    for (figure, mine) in first.figures() {
        let _ = write!(out, "{figure:<22}");
        let values: Vec<Option<f64>> = reports
            .iter()
            .map(|(_, r)| {
                r.as_ref().ok().and_then(|r| {
                    r.figures()
                        .into_iter()
                        .find(|(n, _)| *n == figure)
                        .and_then(|(_, v)| v)
                })
            })
            .collect();
        for v in &values {
            let _ = write!(out, " {:>14}", v.map_or("-".into(), |v| format!("{v:.3}")));
        }
        for v in &values[1..] {
            let ratio = match (mine, *v) {
                (Some(a), Some(b)) if a > 0.0 && b > 0.0 => Some(if larger_is_better(figure) {
                    a / b
                } else {
                    b / a
                }),
                _ => None,
            };
            let _ = write!(
                out,
                " {:>14}",
                ratio.map_or("-".into(), |r| format!("x{r:.2}"))
            );
        }
        out.push('\n');
    }
    for (name, r) in reports {
        if let Err(why) = r {
            let _ = writeln!(out, "{name}: not measured: {why}");
        }
    }
    let _ = writeln!(
        out,
        "(ratios: above 1 means {first_name} is better: faster, or less memory or CPU)"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_costs_are_turned_the_same_way() {
        assert!(larger_is_better("routes_per_second"));
        assert!(!larger_is_better("seconds"));
        assert!(!larger_is_better("daemon_pss_kib"));
    }
}

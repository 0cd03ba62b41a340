//! Recurring events: a subset of RFC 5545 RRULE — FREQ (DAILY, WEEKLY, MONTHLY), INTERVAL,
//! COUNT or UNTIL (one of them, so a series is always bounded), and BYDAY for weekly rules —
//! expanded into the start times of the occurrences. Anything else is refused by name rather
//! than silently ignored.

use crate::FieldViolation;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

/// The most occurrences one rule may make.
pub const MAX_OCCURRENCES: usize = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub count: Option<usize>,
    pub until: Option<DateTime<Utc>>,
    /// Weekdays of a weekly rule, Monday first; empty means the first occurrence's weekday.
    pub by_day: Vec<Weekday>,
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn until(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = NaiveDateTime::parse_from_str(raw, "%Y%m%dT%H%M%SZ") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y%m%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
}

impl Rule {
    /// Parses `FREQ=WEEKLY;BYDAY=MO,FR;COUNT=10` (an `RRULE:` prefix is allowed).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldViolation> {
        let bad = |why: String| FieldViolation::new(field, why);
        let raw = raw.trim();
        let raw = raw.strip_prefix("RRULE:").unwrap_or(raw);
        if raw.is_empty() {
            return Err(bad("is required".into()));
        }
        let (mut freq, mut interval, mut count, mut end, mut by_day) =
            (None, 1, None, None, vec![]);
        for part in raw.split(';') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("{part:?} is not KEY=VALUE")))?;
            match key {
                "FREQ" => {
                    freq = Some(match value {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        other => return Err(bad(format!("FREQ={other} is not supported"))),
                    })
                }
                "INTERVAL" => {
                    interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=366).contains(n))
                        .ok_or_else(|| bad("INTERVAL must be 1 to 366".into()))?
                }
                "COUNT" => {
                    count = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|n| (1..=MAX_OCCURRENCES).contains(n))
                            .ok_or_else(|| bad(format!("COUNT must be 1 to {MAX_OCCURRENCES}")))?,
                    )
                }
                "UNTIL" => {
                    end =
                        Some(until(value).ok_or_else(|| {
                            bad("UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ".into())
                        })?)
                }
                "BYDAY" => {
                    for code in value.split(',') {
                        let day = weekday(code).ok_or_else(|| {
                            bad(format!("BYDAY {code:?} is not supported (MO to SU)"))
                        })?;
                        if !by_day.contains(&day) {
                            by_day.push(day);
                        }
                    }
                    by_day.sort_by_key(|d| d.num_days_from_monday());
                }
                other => return Err(bad(format!("{other} is not supported"))),
            }
        }
        let freq = freq.ok_or_else(|| bad("FREQ is required".into()))?;
        if count.is_some() == end.is_some() {
            return Err(bad("give exactly one of COUNT and UNTIL".into()));
        }
        if !by_day.is_empty() && freq != Freq::Weekly {
            return Err(bad("BYDAY is supported with FREQ=WEEKLY only".into()));
        }
        Ok(Self {
            freq,
            interval,
            count,
            until: end,
            by_day,
        })
    }

    /// The start times of the occurrences, the first being `first`; at most
    /// [`MAX_OCCURRENCES`] (`Err` when the rule would make more). Ends because every rule has
    /// COUNT or UNTIL, and every period but a short month has a candidate.
    pub fn starts(&self, first: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>, String> {
        let mut out = Vec::new();
        let mut period = 0;
        loop {
            for t in self.candidates(first, period) {
                let past_until = self.until.is_some_and(|u| t > u);
                if past_until || self.count.is_some_and(|c| out.len() >= c) {
                    return Ok(out);
                }
                if out.len() == MAX_OCCURRENCES {
                    return Err(format!(
                        "the rule makes more than {MAX_OCCURRENCES} occurrences"
                    ));
                }
                out.push(t);
            }
            period += 1;
        }
    }

    /// The occurrences in the `k`-th period (day, week or month) after the first, in order.
    fn candidates(&self, first: DateTime<Utc>, k: i64) -> Vec<DateTime<Utc>> {
        let step = k * i64::from(self.interval);
        match self.freq {
            Freq::Daily => vec![first + Duration::days(step)],
            Freq::Weekly if self.by_day.is_empty() => vec![first + Duration::weeks(step)],
            Freq::Weekly => {
                let monday =
                    first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
                self.by_day
                    .iter()
                    .map(|d| {
                        monday
                            + Duration::weeks(step)
                            + Duration::days(i64::from(d.num_days_from_monday()))
                    })
                    .filter(|t| *t >= first)
                    .collect()
            }
            // A month without the day (the 31st in April) has no occurrence.
            Freq::Monthly => {
                let months = i64::from(first.month0()) + step;
                let year = i32::try_from(i64::from(first.year()) + months / 12).ok();
                let month = (months % 12) as u32;
                first
                    .with_day(1)
                    .zip(year)
                    .and_then(|(t, y)| t.with_year(y))
                    .and_then(|t| t.with_month0(month))
                    .and_then(|t| t.with_day(first.day()))
                    .into_iter()
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn starts(rule: &str, first: &str) -> Vec<String> {
        Rule::parse("rrule", rule)
            .unwrap()
            .starts(at(first))
            .unwrap()
            .iter()
            .map(|t| t.format("%Y-%m-%d %a").to_string())
            .collect()
    }

    #[test]
    fn daily_weekly_and_monthly_rules_expand() {
        assert_eq!(
            starts("FREQ=DAILY;INTERVAL=2;COUNT=3", "2030-06-01T08:00:00Z"),
            ["2030-06-01 Sat", "2030-06-03 Mon", "2030-06-05 Wed"]
        );
        assert_eq!(
            starts(
                "RRULE:FREQ=WEEKLY;BYDAY=FR,MO;COUNT=4",
                "2030-06-05T08:00:00Z"
            ),
            [
                "2030-06-07 Fri",
                "2030-06-10 Mon",
                "2030-06-14 Fri",
                "2030-06-17 Mon"
            ],
            "days before the first start in its week are skipped"
        );
        assert_eq!(
            starts("FREQ=WEEKLY;UNTIL=20300620", "2030-06-05T08:00:00Z"),
            ["2030-06-05 Wed", "2030-06-12 Wed", "2030-06-19 Wed"]
        );
        assert_eq!(
            starts("FREQ=MONTHLY;COUNT=3", "2030-01-31T08:00:00Z"),
            ["2030-01-31 Thu", "2030-03-31 Sun", "2030-05-31 Fri"],
            "months without the 31st have no occurrence"
        );
    }

    #[test]
    fn unsupported_or_unbounded_rules_are_refused_by_name() {
        for (rule, says) in [
            ("", "required"),
            ("FREQ=YEARLY;COUNT=2", "YEARLY"),
            ("FREQ=DAILY", "COUNT and UNTIL"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20300101", "COUNT and UNTIL"),
            ("FREQ=DAILY;COUNT=2;BYMONTH=1", "BYMONTH"),
            ("FREQ=DAILY;COUNT=2;BYDAY=MO", "WEEKLY only"),
            ("FREQ=WEEKLY;COUNT=2;BYDAY=1MO", "1MO"),
            ("FREQ=DAILY;COUNT=0", "COUNT"),
            ("FREQ", "KEY=VALUE"),
        ] {
            let err = Rule::parse("rrule", rule).unwrap_err();
            assert_eq!(err.field, "rrule");
            assert!(
                err.description.contains(says),
                "{rule}: {}",
                err.description
            );
        }
        let long = Rule::parse("rrule", "FREQ=DAILY;UNTIL=20400101").unwrap();
        assert!(long.starts(at("2030-01-01T00:00:00Z")).is_err());
    }
}

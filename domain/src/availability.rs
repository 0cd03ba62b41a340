//! Availability, as pure arithmetic over time: how many units of a product are free in a period
//! given the owned stock, what is in repair, external sub-rents (stock for their dates only) and
//! the bookings of events' pull lists; where a product runs short; and which serialised assets
//! are on two events at once. The store fetches the rows (an index lookup on `tstzrange`s) and
//! these functions decide, so the rules are proved here by property tests, not by SQL.
//!
//! Times are microseconds since the Unix epoch; every span is half-open `[start, end)`, so an
//! event that comes back at 12:00 does not overlap one that goes out at 12:00.

use uuid::Uuid;

/// A half-open time span `[start, end)` in microseconds since the epoch; never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: i64,
    end: i64,
}

impl Span {
    /// A span, or `None` unless `start < end`.
    pub fn new(start: i64, end: i64) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    pub fn start(self) -> i64 {
        self.start
    }

    pub fn end(self) -> i64 {
        self.end
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

/// Units of a product that an event's pull list asks for over the event's period. `reserves`
/// is the event status's verdict under the tenant's setting (`EventStatus::reserves`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub span: Span,
    pub quantity: u32,
    pub reserves: bool,
}

/// Extra units for a span only: an external sub-rent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubRent {
    pub span: Span,
    pub quantity: u32,
}

/// Owned units that count (not lost or retired) and how many of them are in repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stock {
    pub owned: u32,
    pub in_repair: u32,
}

/// One stretch of time over which every number is constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub span: Span,
    pub owned: u32,
    pub in_repair: u32,
    pub sub_rented: u64,
    pub reserved: u64,
    /// Indices (into the bookings given) of the reserving bookings active in this stretch.
    pub causes: Vec<usize>,
}

impl Moment {
    /// Units free: owned + sub-rented − in repair − reserved (negative when over-booked).
    pub fn free(&self) -> i64 {
        i64::from(self.owned) + self.sub_rented as i64
            - i64::from(self.in_repair)
            - self.reserved as i64
    }

    /// Free units, never negative.
    pub fn available(&self) -> u64 {
        self.free().max(0) as u64
    }

    /// Units reserved beyond the stock.
    pub fn deficit(&self) -> u64 {
        (-self.free()).max(0) as u64
    }
}

/// The stretches of `period`, in order and without gaps, over which stock, sub-rents and
/// reservations are constant. Bookings that do not reserve are ignored.
pub fn timeline(
    stock: Stock,
    bookings: &[Booking],
    sub_rents: &[SubRent],
    period: Span,
) -> Vec<Moment> {
    let mut cuts = vec![period.start, period.end];
    let inside = |t: i64| period.start < t && t < period.end;
    let reserving = || bookings.iter().filter(|b| b.reserves);
    for span in reserving()
        .map(|b| b.span)
        .chain(sub_rents.iter().map(|s| s.span))
    {
        cuts.extend([span.start, span.end].into_iter().filter(|t| inside(*t)));
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let span = Span {
                start: w[0],
                end: w[1],
            };
            let causes: Vec<usize> = bookings
                .iter()
                .enumerate()
                .filter(|(_, b)| b.reserves && b.span.overlaps(span))
                .map(|(i, _)| i)
                .collect();
            Moment {
                span,
                owned: stock.owned,
                in_repair: stock.in_repair,
                sub_rented: sub_rents
                    .iter()
                    .filter(|s| s.span.overlaps(span))
                    .map(|s| u64::from(s.quantity))
                    .sum(),
                reserved: causes
                    .iter()
                    .map(|i| u64::from(bookings[*i].quantity))
                    .sum(),
                causes,
            }
        })
        .collect()
}

/// The answer to "are `wanted` units free for the whole period?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The first stretch with the fewest free units.
    pub tightest: Moment,
    /// Units missing at the tightest stretch (0 when available).
    pub short: u64,
}

impl Verdict {
    pub fn available(&self) -> bool {
        self.short == 0
    }
}

/// Checks whether `wanted` units are free for all of `period`.
pub fn check(
    stock: Stock,
    bookings: &[Booking],
    sub_rents: &[SubRent],
    period: Span,
    wanted: u32,
) -> Verdict {
    let tightest = timeline(stock, bookings, sub_rents, period)
        .into_iter()
        .reduce(|best, m| if m.free() < best.free() { m } else { best })
        .expect("a non-empty span has at least one stretch");
    let short = (i64::from(wanted) - tightest.free()).max(0) as u64;
    Verdict { tightest, short }
}

/// A stretch in which reservations exceed the stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub span: Span,
    /// Units missing at the worst moment of the stretch.
    pub short: u64,
    /// Indices of every reserving booking active somewhere in the stretch.
    pub causes: Vec<usize>,
}

/// The maximal stretches of `period` in which the product is over-booked.
pub fn shortages(
    stock: Stock,
    bookings: &[Booking],
    sub_rents: &[SubRent],
    period: Span,
) -> Vec<Shortage> {
    let mut out: Vec<Shortage> = Vec::new();
    let mut joins_previous = false;
    for moment in timeline(stock, bookings, sub_rents, period) {
        if moment.deficit() == 0 {
            joins_previous = false;
            continue;
        }
        match out.last_mut() {
            Some(last) if joins_previous => {
                last.span.end = moment.span.end;
                last.short = last.short.max(moment.deficit());
                for cause in moment.causes {
                    if !last.causes.contains(&cause) {
                        last.causes.push(cause);
                    }
                }
                last.causes.sort_unstable();
            }
            _ => out.push(Shortage {
                span: moment.span,
                short: moment.deficit(),
                causes: moment.causes,
            }),
        }
        joins_previous = true;
    }
    out
}

/// One serialised asset (or case) on one event's pull list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetBooking {
    pub asset: Uuid,
    pub event: Uuid,
    pub span: Span,
    pub reserves: bool,
}

/// Pairs `(i, j)`, `i < j`, of bookings of the same asset on different events whose spans
/// overlap: conflicts to show a planner.
pub fn overlapping_pairs(bookings: &[AssetBooking]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..bookings.len()).collect();
    order.sort_by_key(|i| (bookings[*i].asset, bookings[*i].span.start));
    let mut pairs = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            let (a, b) = (bookings[i], bookings[j]);
            if b.asset != a.asset || b.span.start >= a.span.end {
                break;
            }
            if a.event != b.event {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Pairs that are double bookings: both sides reserve.
pub fn double_bookings(bookings: &[AssetBooking]) -> Vec<(usize, usize)> {
    overlapping_pairs(bookings)
        .into_iter()
        .filter(|(i, j)| bookings[*i].reserves && bookings[*j].reserves)
        .collect()
}

/// Whether `new` may join `existing` without a double booking: `Err` holds the indices of
/// the existing bookings it would collide with.
pub fn can_book(existing: &[AssetBooking], new: AssetBooking) -> Result<(), Vec<usize>> {
    if !new.reserves {
        return Ok(());
    }
    let clashes: Vec<usize> = existing
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.reserves && b.asset == new.asset && b.event != new.event && b.span.overlaps(new.span)
        })
        .map(|(i, _)| i)
        .collect();
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(clashes)
    }
}

#[cfg(test)]
mod tests;

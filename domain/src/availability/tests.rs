//! Property tests of the availability rules against brute force: every number is recomputed
//! point by point, so an off-by-one at a span boundary or a lost booking fails here.

use super::*;
use proptest::prelude::*;

const HORIZON: i64 = 100;

fn span() -> impl Strategy<Value = Span> {
    (0..HORIZON, 1..40i64).prop_map(|(start, len)| Span::new(start, start + len).unwrap())
}

fn booking() -> impl Strategy<Value = Booking> {
    (span(), 1..6u32, any::<bool>()).prop_map(|(span, quantity, reserves)| Booking {
        span,
        quantity,
        reserves,
    })
}

fn sub_rent() -> impl Strategy<Value = SubRent> {
    (span(), 1..6u32).prop_map(|(span, quantity)| SubRent { span, quantity })
}

fn stock() -> impl Strategy<Value = Stock> {
    (0..20u32, 0..5u32).prop_map(|(owned, repair)| Stock {
        owned,
        in_repair: repair.min(owned),
    })
}

/// Free units at instant `t`, counted the slow way.
fn free_at(stock: Stock, bookings: &[Booking], subs: &[SubRent], t: i64) -> i64 {
    let reserved: i64 = bookings
        .iter()
        .filter(|b| b.reserves && b.span.contains(t))
        .map(|b| i64::from(b.quantity))
        .sum();
    let sub: i64 = subs
        .iter()
        .filter(|s| s.span.contains(t))
        .map(|s| i64::from(s.quantity))
        .sum();
    i64::from(stock.owned) + sub - i64::from(stock.in_repair) - reserved
}

fn asset_booking() -> impl Strategy<Value = AssetBooking> {
    (0..3u128, 0..4u128, span(), any::<bool>()).prop_map(|(asset, event, span, reserves)| {
        AssetBooking {
            asset: Uuid::from_u128(asset + 1),
            event: Uuid::from_u128(event + 100),
            span,
            reserves,
        }
    })
}

proptest! {
    #[test]
    fn the_timeline_covers_the_period_and_matches_every_instant(
        stock in stock(),
        bookings in prop::collection::vec(booking(), 0..12),
        subs in prop::collection::vec(sub_rent(), 0..4),
        period in span(),
    ) {
        let moments = timeline(stock, &bookings, &subs, period);
        prop_assert_eq!(moments.first().unwrap().span.start(), period.start());
        prop_assert_eq!(moments.last().unwrap().span.end(), period.end());
        for pair in moments.windows(2) {
            prop_assert_eq!(pair[0].span.end(), pair[1].span.start());
        }
        for m in &moments {
            for t in m.span.start()..m.span.end() {
                prop_assert_eq!(m.free(), free_at(stock, &bookings, &subs, t), "t = {}", t);
            }
        }
    }

    #[test]
    fn available_reserved_sub_rented_and_in_repair_add_up(
        stock in stock(),
        bookings in prop::collection::vec(booking(), 0..12),
        subs in prop::collection::vec(sub_rent(), 0..4),
        period in span(),
    ) {
        for m in timeline(stock, &bookings, &subs, period) {
            prop_assert_eq!(
                m.available() + m.reserved + u64::from(m.in_repair),
                u64::from(m.owned) + m.sub_rented + m.deficit()
            );
            let reserved: u64 = m.causes.iter().map(|i| u64::from(bookings[*i].quantity)).sum();
            prop_assert_eq!(reserved, m.reserved);
        }
    }

    #[test]
    fn the_verdict_is_the_worst_instant_of_the_period(
        stock in stock(),
        bookings in prop::collection::vec(booking(), 0..12),
        subs in prop::collection::vec(sub_rent(), 0..4),
        period in span(),
        wanted in 1..25u32,
    ) {
        let verdict = check(stock, &bookings, &subs, period, wanted);
        let worst = (period.start()..period.end())
            .map(|t| free_at(stock, &bookings, &subs, t))
            .min()
            .unwrap();
        prop_assert_eq!(verdict.tightest.free(), worst);
        prop_assert_eq!(verdict.available(), worst >= i64::from(wanted));
        prop_assert_eq!(verdict.short as i64, (i64::from(wanted) - worst).max(0));
    }

    #[test]
    fn bookings_that_do_not_reserve_never_reduce_availability(
        stock in stock(),
        bookings in prop::collection::vec(booking(), 0..10),
        idle in prop::collection::vec(booking(), 1..6),
        period in span(),
    ) {
        let idle: Vec<Booking> = idle.into_iter().map(|b| Booking { reserves: false, ..b }).collect();
        let with_idle: Vec<Booking> = bookings.iter().chain(&idle).copied().collect();
        let free = |bs: &[Booking]| check(stock, bs, &[], period, 1).tightest.free();
        prop_assert_eq!(free(&with_idle), free(&bookings));
        // ... while a reserving booking never adds any.
        let reserving: Vec<Booking> = with_idle.iter().map(|b| Booking { reserves: true, ..*b }).collect();
        prop_assert!(free(&reserving) <= free(&bookings));
    }

    #[test]
    fn shortages_are_exactly_the_over_booked_instants(
        stock in stock(),
        bookings in prop::collection::vec(booking(), 0..12),
        subs in prop::collection::vec(sub_rent(), 0..4),
        period in span(),
    ) {
        let found = shortages(stock, &bookings, &subs, period);
        for t in period.start()..period.end() {
            let free = free_at(stock, &bookings, &subs, t);
            let covering: Vec<&Shortage> = found.iter().filter(|s| s.span.contains(t)).collect();
            prop_assert_eq!(covering.len(), usize::from(free < 0), "t = {}", t);
            if let Some(s) = covering.first() {
                prop_assert!(s.short >= (-free) as u64);
                for (i, b) in bookings.iter().enumerate() {
                    if b.reserves && b.span.contains(t) {
                        prop_assert!(s.causes.contains(&i));
                    }
                }
            }
        }
        for pair in found.windows(2) {
            prop_assert!(pair[0].span.end() < pair[1].span.start(), "stretches are maximal");
        }
    }

    #[test]
    fn conflicts_are_every_overlapping_pair_of_one_asset(
        bookings in prop::collection::vec(asset_booking(), 0..12),
    ) {
        let mut expected = Vec::new();
        for i in 0..bookings.len() {
            for j in i + 1..bookings.len() {
                let (a, b) = (bookings[i], bookings[j]);
                if a.asset == b.asset && a.event != b.event && a.span.overlaps(b.span) {
                    expected.push((i, j));
                }
            }
        }
        prop_assert_eq!(overlapping_pairs(&bookings), expected);
    }

    #[test]
    fn a_serialised_asset_is_never_booked_twice(
        requests in prop::collection::vec(asset_booking(), 0..16),
    ) {
        let mut accepted: Vec<AssetBooking> = Vec::new();
        for request in requests {
            match can_book(&accepted, request) {
                Ok(()) => accepted.push(request),
                Err(clashes) => {
                    prop_assert!(!clashes.is_empty());
                    for i in clashes {
                        prop_assert!(accepted[i].span.overlaps(request.span));
                    }
                }
            }
        }
        prop_assert!(double_bookings(&accepted).is_empty());
    }
}

#[test]
fn spans_are_half_open() {
    let morning = Span::new(0, 12).unwrap();
    let afternoon = Span::new(12, 24).unwrap();
    assert!(!morning.overlaps(afternoon));
    assert!(morning.overlaps(Span::new(11, 13).unwrap()));
    assert!(Span::new(5, 5).is_none());
}

#[test]
fn a_sub_rent_adds_stock_for_its_dates_only() {
    let stock = Stock {
        owned: 2,
        in_repair: 0,
    };
    let event = Booking {
        span: Span::new(10, 20).unwrap(),
        quantity: 3,
        reserves: true,
    };
    let early = SubRent {
        span: Span::new(0, 15).unwrap(),
        quantity: 1,
    };
    let verdict = check(stock, &[event], &[early], Span::new(10, 20).unwrap(), 1);
    assert_eq!(
        verdict.short, 2,
        "the sub-rent ends at 15: from then on 3 of 2 are booked"
    );
    assert_eq!(verdict.tightest.span, Span::new(15, 20).unwrap());
    assert_eq!(verdict.tightest.causes, [0]);
}

//! Published operating figures to hold the simulated ones against, in one
//! table. Every row names its operator, its mark ([S] sourced, [D] derived
//! from sourced figures) and the section of `docs/sources.md` (a copy of
//! the project's DOMAIN.md tables, shipped so a report's reader can check
//! them) it comes from.

/// The file the report cites for the reference figures.
pub const SOURCES_FILE: &str = "docs/sources.md";

/// A simulated figure that a published one is set against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Figure {
    /// KPI `swaps_per_subscriber_day`.
    SwapsPerSubscriberDay,
    /// KPI `swaps_per_cabinet_day`.
    SwapsPerCabinetDay,
    /// KPI `batteries_per_subscriber`.
    BatteriesPerSubscriber,
    /// Cabinet stock per cabinet, from the scenario's sizing (no KPI: it
    /// does not vary).
    BatteriesPerCabinet,
}

impl Figure {
    /// Every figure, in report order.
    pub(crate) const ALL: [Figure; 4] = [
        Figure::SwapsPerSubscriberDay,
        Figure::SwapsPerCabinetDay,
        Figure::BatteriesPerSubscriber,
        Figure::BatteriesPerCabinet,
    ];

    /// The KPI behind the figure, if it is one.
    pub(crate) fn kpi(self) -> Option<&'static str> {
        match self {
            Figure::SwapsPerSubscriberDay => Some("swaps_per_subscriber_day"),
            Figure::SwapsPerCabinetDay => Some("swaps_per_cabinet_day"),
            Figure::BatteriesPerSubscriber => Some("batteries_per_subscriber"),
            Figure::BatteriesPerCabinet => None,
        }
    }
}

/// Whose published figure a row is; `i18n::operator` says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    /// China Tower 2023: 1 M users, > 60,000 sites, > 2 M swaps a day,
    /// mostly couriers.
    ChinaTower2023,
    /// Gogoro 2022: 450,000 riders, 340,000 swaps a day, 1 M batteries.
    Gogoro2022,
    /// 753 batteries at 69 Shenzhen stations.
    Shenzhen69Stations,
    /// A courier: about 120 km and about 2 swaps a day.
    Courier,
    /// An ordinary e-bike: a charge about every 3 days (2019 national
    /// figures).
    OrdinaryEbike,
}

/// One published figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reference {
    /// What it is set against.
    pub figure: Figure,
    /// Whose figure it is.
    pub operator: Operator,
    /// The figure (in the KPI's unit).
    pub value: f64,
    /// DOMAIN.md's mark.
    pub mark: &'static str,
    /// The section of [`SOURCES_FILE`] with the row.
    pub section: &'static str,
}

const OPERATORS: &str = "Cabinets and operators";
const RIDERS: &str = "Riders";

/// The reference table: every published figure the report shows.
pub(crate) const REFERENCES: [Reference; 7] = [
    Reference {
        figure: Figure::SwapsPerSubscriberDay,
        operator: Operator::ChinaTower2023,
        value: 2.0,
        mark: "[S]/[D]",
        section: OPERATORS,
    },
    Reference {
        figure: Figure::SwapsPerSubscriberDay,
        operator: Operator::Courier,
        value: 2.0,
        mark: "[S]",
        section: RIDERS,
    },
    Reference {
        figure: Figure::SwapsPerSubscriberDay,
        operator: Operator::Gogoro2022,
        value: 0.76,
        mark: "[S]/[D]",
        section: OPERATORS,
    },
    Reference {
        figure: Figure::SwapsPerSubscriberDay,
        operator: Operator::OrdinaryEbike,
        value: 1.0 / 3.0,
        mark: "[S]/[D]",
        section: RIDERS,
    },
    Reference {
        figure: Figure::SwapsPerCabinetDay,
        operator: Operator::ChinaTower2023,
        value: 33.0,
        mark: "[S]/[D]",
        section: OPERATORS,
    },
    Reference {
        figure: Figure::BatteriesPerSubscriber,
        operator: Operator::Gogoro2022,
        value: 2.2,
        mark: "[S]/[D]",
        section: OPERATORS,
    },
    Reference {
        figure: Figure::BatteriesPerCabinet,
        operator: Operator::Shenzhen69Stations,
        value: 10.9,
        mark: "[S]",
        section: OPERATORS,
    },
];

/// The rows of `figure`.
pub(crate) fn of(figure: Figure) -> impl Iterator<Item = &'static Reference> {
    REFERENCES.iter().filter(move |r| r.figure == figure)
}

/// The lowest and highest published value of `figure`.
pub(crate) fn range(figure: Figure) -> (f64, f64) {
    of(figure).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
        (lo.min(r.value), hi.max(r.value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row cites a section that `docs/sources.md` has, with the
    /// figure written there.
    #[test]
    fn every_reference_is_in_the_shipped_sources() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sources.md");
        let sources = std::fs::read_to_string(path).expect("docs/sources.md ships");
        for r in &REFERENCES {
            assert!(
                sources.contains(&format!("## {}", r.section)),
                "{r:?}: no section"
            );
        }
        for text in [
            "about 2 swaps per user per day and about 33 per site per day",
            "0.76 swaps per rider per day, about 2.2 batteries per rider",
            "10.9 (753 batteries at 69 Shenzhen stations)",
            "about 2 swaps a day",
            "a charge every about 3 days",
        ] {
            assert!(sources.contains(text), "docs/sources.md lacks '{text}'");
        }
    }

    #[test]
    fn every_figure_has_a_reference() {
        for figure in Figure::ALL {
            let (lo, hi) = range(figure);
            assert!(lo.is_finite() && lo <= hi, "{figure:?}");
        }
    }
}

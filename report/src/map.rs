//! The site map: every site at its position, drawn as SVG for the page and
//! again as PNG with a [`Font`].
//!
//! # What it draws
//!
//! - Each site is a disc at `x_m`/`y_m` (metres east and north of the
//!   scenario's origin), on one scale for both axes, north up. A disc's
//!   area is proportional to the site's swap requests a day; discs below
//!   [`MIN_RADIUS_PX`] are drawn at that radius, so that no site vanishes
//!   (a site with no requests among them).
//! - The colour is the site's target status (met green, close amber,
//!   missed red) or, with [`MapColour::Kpi`], a KPI's value on a
//!   sequential scale (light is low, dark is high); a site without one is
//!   grey.
//! - Sites on one transformer are joined by thin grey lines, the shortest
//!   tree through them: a hull around a transformer's sites would cover
//!   the sites of others wherever their areas interleave, a tree stays
//!   local.
//! - A panel to the right of the map holds the north arrow, a scale bar of
//!   a round length (1, 2 or 5 × 10ⁿ m, at most [`SCALE_BAR_MAX_PX`]), the
//!   colour legend, two or three reference sizes of requests, and the
//!   transformer lines' entry. Nothing of it lies over the sites.
//!
//! # Labels
//!
//! A site's label (the planned cabinet count, say) is placed greedily:
//! sites with more requests first (ties by input order), each trying eight
//! positions around its disc (right, left, above, below, then the
//! diagonals). A position is taken if its box stays inside the map and
//! overlaps no label placed before and no disc at all, its own included;
//! if none is free the label is left out. So a cluster of labels gives way
//! to the markers, and every marker stays visible. The boxes are sized
//! from an estimate of the text's width that errs wide (digits 0.62 em,
//! CJK 1 em), since the browser picks the font.
//!
//! The result, [`SiteMap`], keeps the layout ([`MapLayout`]: discs, label
//! boxes, scale bar) so that tests and the page can check it, and what it
//! drew, so that [`SiteMap::png`] draws the same map at twice the size.
//! The SVG's root is `<svg class="chart map">`; sites are `<circle>`s in
//! `<g class="sites">`, each with a `<title>` (name and requests), labels
//! `<text>`s in `<g class="labels">`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::font::{Font, FontError};
use crate::format::{escape, trim, value};
use crate::i18n::{self, Lang};
use crate::plot::{FONT, PNG_SCALE, WIDTH};
use crate::raster::{TextBitmap, encode_png};

/// The smallest radius a site's disc is drawn at \[px\].
pub const MIN_RADIUS_PX: f64 = 2.5;
/// The longest a scale bar may be \[px\].
pub const SCALE_BAR_MAX_PX: f64 = 140.0;

/// One site on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSite {
    /// The site's name (its tooltip).
    pub name: String,
    /// Position east of the origin \[m\].
    pub x_m: f64,
    /// Position north of the origin \[m\].
    pub y_m: f64,
    /// Swap requests a day \[1/d\]; the disc's area is proportional to it.
    pub requests_per_day: f64,
    /// The site's target status, for [`MapColour::Status`].
    pub status: Option<TargetStatus>,
    /// The KPI's value, in the unit of [`MapColour::Kpi`]'s label.
    pub kpi: Option<f64>,
    /// A short text beside the disc where it fits (the planned cabinets:
    /// "6").
    pub label: Option<String>,
    /// The transformer the site hangs on; sites sharing one are joined.
    pub transformer: Option<String>,
}

/// How a site stands against the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetStatus {
    /// Every target met.
    Met,
    /// Every target met, one of them close to its limit.
    Close,
    /// A target missed.
    Missed,
}

/// What a disc's colour shows.
#[derive(Clone, Debug, PartialEq)]
pub enum MapColour {
    /// [`MapSite::status`]: green, amber, red.
    Status,
    /// [`MapSite::kpi`] on a sequential scale, with `label` (name and
    /// unit, in the report's language) over its legend.
    Kpi {
        /// The KPI's name and unit: "等待 P95 \[分钟\]".
        label: String,
    },
}

/// A rectangle on the map \[px\], y down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PxRect {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl PxRect {
    /// Whether the two rectangles share any area.
    pub fn overlaps(&self, other: &PxRect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether the rectangle and the disc at `(x, y)` of radius `r` share
    /// any area.
    pub fn touches_disc(&self, x: f64, y: f64, r: f64) -> bool {
        let dx = x - x.clamp(self.x0, self.x1);
        let dy = y - y.clamp(self.y0, self.y1);
        dx * dx + dy * dy < r * r
    }

    /// Whether `other` lies wholly inside.
    pub fn contains(&self, other: &PxRect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }
}

/// A site's disc \[px\].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    /// The site's index in the input.
    pub site: usize,
    /// Centre, from the left \[px\].
    pub x: f64,
    /// Centre, from the top \[px\].
    pub y: f64,
    /// Radius \[px\].
    pub r: f64,
}

/// A label that found room.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    /// The site's index in the input.
    pub site: usize,
    /// The box the text is estimated to fill \[px\].
    pub rect: PxRect,
}

/// Where everything went, in the SVG's pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLayout {
    /// The SVG's width \[px\].
    pub width: u32,
    /// The SVG's height \[px\].
    pub height: u32,
    /// The map's frame; discs and labels stay inside \[px\].
    pub frame: PxRect,
    /// Scale \[px/m\], the same east and north.
    pub px_per_m: f64,
    /// One disc per site with finite coordinates, in input order.
    pub markers: Vec<Marker>,
    /// The labels placed, largest site first.
    pub labels: Vec<PlacedLabel>,
    /// How many sites have a label to place.
    pub labels_wanted: usize,
    /// The scale bar's length \[m\]: 1, 2 or 5 × 10ⁿ.
    pub scale_bar_m: f64,
    /// The scale bar's length \[px\].
    pub scale_bar_px: f64,
    /// The size legend: requests a day \[1/d\] and radius \[px\].
    pub size_legend: Vec<(f64, f64)>,
    /// Lines joining sites on one transformer, as pairs of site indices.
    pub links: Vec<(usize, usize)>,
}

/// The site map, as SVG, with what it drew so that it can be drawn again
/// as PNG.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteMap {
    /// A file-name-safe name: `map`.
    pub name: String,
    /// The title drawn in the map.
    pub title: String,
    /// What the map shows (the HTML caption).
    pub caption: String,
    /// A standalone SVG document (without an XML declaration), root
    /// `<svg class="chart map">`.
    pub svg: String,
    /// Where the discs, labels and scale bar went.
    pub layout: MapLayout,
    /// What was drawn, to draw it again as PNG.
    drawing: Drawing,
}

impl SiteMap {
    /// The map titled `title` in the page, the SVG and the PNG (a
    /// comparison's map names the scenario it shows).
    pub(crate) fn titled(mut self, title: String) -> SiteMap {
        for layer in self.drawing.layers.iter_mut() {
            if layer.class != "title" {
                continue;
            }
            for item in &mut layer.items {
                if let Prim::Text { text, .. } = &mut item.prim {
                    text.clone_from(&title);
                }
            }
        }
        self.drawing.title.clone_from(&title);
        self.svg = self.drawing.svg();
        self.title = title;
        self
    }

    /// The map as a PNG image, twice the SVG's pixel sizes,
    /// its text drawn with `font`. An error if the font lacks a glyph for
    /// any of the map's text; nothing else fails.
    pub fn png(&self, font: &Font) -> Result<Vec<u8>, FontError> {
        font.check_glyphs(&self.drawing.texts().concat(), &self.name)?;
        Ok(self.drawing.png(font))
    }
}

/// The map of `sites`, coloured as `colour` says, its words in `lang`.
///
/// Sites whose coordinates are not finite cannot be placed and are left
/// out (a scenario's are always finite); a request count or KPI value that
/// is not finite counts as none.
pub fn site_map(sites: &[MapSite], colour: &MapColour, lang: Lang) -> SiteMap {
    debug_assert!(
        sites.iter().all(|s| s.x_m.is_finite() && s.y_m.is_finite()),
        "site coordinates are finite"
    );
    let words = lang.map_words();
    let placed: Vec<usize> = (0..sites.len())
        .filter(|&i| sites[i].x_m.is_finite() && sites[i].y_m.is_finite())
        .collect();
    let requests = |i: usize| {
        let r = sites[i].requests_per_day;
        if r.is_finite() { r.max(0.0) } else { 0.0 }
    };

    // The panel's blocks, measured first: the map takes the height they
    // need at least.
    let legend = colour_legend(sites, &placed, colour, words);
    let max_requests = placed.iter().map(|&i| requests(i)).fold(0.0, f64::max);

    // The frame and the scale.
    let panel_x = f64::from(WIDTH) - MARGIN - PANEL_WIDTH;
    let frame_x = (MARGIN, panel_x - GAP);
    let (mut min, mut max) = (
        (f64::INFINITY, f64::INFINITY),
        (-f64::INFINITY, -f64::INFINITY),
    );
    for &i in &placed {
        min = (min.0.min(sites[i].x_m), min.1.min(sites[i].y_m));
        max = (max.0.max(sites[i].x_m), max.1.max(sites[i].y_m));
    }
    if placed.is_empty() {
        (min, max) = ((0.0, 0.0), (0.0, 0.0));
    }
    let centre = ((min.0 + max.0) / 2.0, (min.1 + max.1) / 2.0);
    let span = (
        (max.0 - min.0).max(MIN_SPAN_M),
        (max.1 - min.1).max(MIN_SPAN_M),
    );
    let inner_width = frame_x.1 - frame_x.0 - 2.0 * PAD;
    let px_per_m = (inner_width / span.0).min((MAX_FRAME_HEIGHT - 2.0 * PAD) / span.1);
    let data_height = span.1 * px_per_m + 2.0 * PAD;

    let scale_bar_m = nice_floor(SCALE_BAR_MAX_PX / px_per_m);
    let scale_bar_px = scale_bar_m * px_per_m;
    let n = placed.len().max(1) as f64;
    let max_radius = (0.25 * (inner_width * (data_height - 2.0 * PAD).max(PAD) / n).sqrt())
        .clamp(MAX_RADIUS_RANGE.0, MAX_RADIUS_RANGE.1);
    let radius = |req: f64| {
        if max_requests > 0.0 {
            (max_radius * (req / max_requests).sqrt()).max(MIN_RADIUS_PX)
        } else {
            MIN_RADIUS_PX
        }
    };
    let size_legend: Vec<(f64, f64)> = reference_sizes(max_requests)
        .into_iter()
        .map(|req| (req, radius(req)))
        .collect();

    // The panel, top down.
    let mut panel = Vec::new();
    let mut y = TOP;
    draw_north_and_scale(&mut panel, panel_x, y, words, scale_bar_m, scale_bar_px);
    y += 52.0;
    y = legend.draw(&mut panel, panel_x, y) + BLOCK_GAP;
    if !size_legend.is_empty() {
        y = draw_size_legend(&mut panel, panel_x, y, words, &size_legend) + BLOCK_GAP;
    }
    let groups = transformer_groups(sites, &placed);
    let mut links = Vec::new();
    for group in groups.values() {
        links.extend(shortest_tree(sites, group));
    }
    if !links.is_empty() {
        panel.push(Item::plain(Prim::Path {
            points: vec![(panel_x + 4.0, y + 8.0), (panel_x + 26.0, y + 8.0)],
            color: LINK,
            width: 1.5,
        }));
        panel.push(Item::plain(text(
            panel_x + 32.0,
            y + 8.0,
            words.transformer,
            12.0,
            Anchor::Start,
        )));
        y += 20.0;
    }
    let panel_bottom = y;

    let height = (TOP + data_height).max(panel_bottom) + MARGIN;
    let frame = PxRect {
        x0: frame_x.0,
        y0: TOP,
        x1: frame_x.1,
        y1: height - MARGIN,
    };
    let mid = ((frame.x0 + frame.x1) / 2.0, (frame.y0 + frame.y1) / 2.0);
    let to_px = |x_m: f64, y_m: f64| {
        (
            mid.0 + (x_m - centre.0) * px_per_m,
            mid.1 - (y_m - centre.1) * px_per_m,
        )
    };

    let markers: Vec<Marker> = placed
        .iter()
        .map(|&i| {
            let (x, y) = to_px(sites[i].x_m, sites[i].y_m);
            Marker {
                site: i,
                x,
                y,
                r: radius(requests(i)),
            }
        })
        .collect();

    let labelled = markers
        .iter()
        .filter_map(|m| {
            let label = sites[m.site].label.as_deref()?;
            (!label.is_empty()).then_some((m, label, requests(m.site)))
        })
        .collect::<Vec<_>>();
    let labels_wanted = labelled.len();
    let labels = place_labels(labelled, &markers, frame);

    // The drawing, bottom up.
    let mut layers = vec![Layer {
        class: "frame",
        items: vec![Item::plain(Prim::Rect {
            rect: frame,
            fill: FRAME_FILL,
        })],
    }];
    // Its own layer: the HTML page hides it under the section's heading,
    // a standalone SVG or PNG shows it.
    layers.push(Layer {
        class: "title",
        items: vec![Item::plain(text(
            MARGIN,
            TOP / 2.0,
            words.title,
            20.0,
            Anchor::Start,
        ))],
    });
    let by_site: BTreeMap<usize, &Marker> = markers.iter().map(|m| (m.site, m)).collect();
    layers.push(Layer {
        class: "transformers",
        items: links
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (by_site[&a], by_site[&b]);
                let name = sites[a.site].transformer.as_deref().unwrap_or_default();
                Item {
                    prim: Prim::Path {
                        points: vec![(a.x, a.y), (b.x, b.y)],
                        color: LINK,
                        width: 1.5,
                    },
                    title: Some(name.to_owned()),
                }
            })
            .collect(),
    });
    let mut drawn: Vec<&Marker> = markers.iter().collect();
    // Large discs first, so that small ones lie on top of them.
    drawn.sort_by(|a, b| b.r.total_cmp(&a.r).then(a.site.cmp(&b.site)));
    layers.push(Layer {
        class: "sites",
        items: drawn
            .iter()
            .map(|m| {
                let site = &sites[m.site];
                Item {
                    prim: Prim::Disc {
                        x: m.x,
                        y: m.y,
                        r: m.r,
                        fill: legend.colour(site),
                    },
                    title: Some(format!(
                        "{}: {} {}",
                        site.name,
                        short(requests(m.site)),
                        words.per_day
                    )),
                }
            })
            .collect(),
    });
    layers.push(Layer {
        class: "labels",
        items: labels
            .iter()
            .map(|l| {
                let label = sites[l.site].label.as_deref().unwrap_or_default();
                Item::plain(text(
                    l.rect.x0 + LABEL_PAD,
                    (l.rect.y0 + l.rect.y1) / 2.0,
                    label,
                    LABEL_SIZE,
                    Anchor::Start,
                ))
            })
            .collect(),
    });
    layers.push(Layer {
        class: "legend",
        items: panel,
    });

    let drawing = Drawing {
        width: WIDTH,
        height: height.ceil() as u32,
        title: words.title.to_owned(),
        layers,
    };
    let kpi_label = match colour {
        MapColour::Status => None,
        MapColour::Kpi { label } => Some(label.as_str()),
    };
    let caption = i18n::map_caption(
        lang,
        kpi_label,
        !links.is_empty(),
        (labels.len(), labels_wanted),
    );
    SiteMap {
        name: "map".to_owned(),
        title: words.title.to_owned(),
        caption,
        svg: drawing.svg(),
        layout: MapLayout {
            width: drawing.width,
            height: drawing.height,
            frame,
            px_per_m,
            markers,
            labels,
            labels_wanted,
            scale_bar_m,
            scale_bar_px,
            size_legend,
            links,
        },
        drawing,
    }
}

/// The labels that fit, placed greedily (see the module docs): `labelled`
/// are the markers with a label, its text and the site's requests a day;
/// a label's box stays inside `frame` and clear of every label placed
/// before and of every one of `markers`.
fn place_labels(
    mut labelled: Vec<(&Marker, &str, f64)>,
    markers: &[Marker],
    frame: PxRect,
) -> Vec<PlacedLabel> {
    labelled.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.site.cmp(&b.0.site)));
    let mut labels: Vec<PlacedLabel> = Vec::new();
    for (m, text, _) in labelled {
        let size = text_size(text, LABEL_SIZE);
        let free = candidates(m, size).into_iter().find(|rect| {
            frame.contains(rect)
                && labels.iter().all(|l| !l.rect.overlaps(rect))
                && markers
                    .iter()
                    .all(|o| !rect.touches_disc(o.x, o.y, o.r + CLEARANCE))
        });
        if let Some(rect) = free {
            labels.push(PlacedLabel { site: m.site, rect });
        }
    }
    labels
}

/// Margins around everything \[px\].
const MARGIN: f64 = 14.0;
/// The top of the frame and the panel, below the title \[px\].
const TOP: f64 = 46.0;
/// The legend panel's width \[px\].
const PANEL_WIDTH: f64 = 190.0;
/// Between the frame and the panel \[px\].
const GAP: f64 = 12.0;
/// Between the panel's blocks \[px\].
const BLOCK_GAP: f64 = 14.0;
/// Room inside the frame around the outermost sites, for their discs and
/// labels \[px\].
const PAD: f64 = 30.0;
/// The frame is at most this high, so that a map from north to south fits
/// on a page \[px\].
const MAX_FRAME_HEIGHT: f64 = 700.0;
/// The least extent shown, east and north: one site, or sites at one
/// point, still get a sensible scale \[m\].
const MIN_SPAN_M: f64 = 400.0;
/// The largest disc's radius, from the frame's area per site, stays
/// within these \[px\].
const MAX_RADIUS_RANGE: (f64, f64) = (7.0, 20.0);
/// Label text size \[px\].
const LABEL_SIZE: f64 = 11.0;
/// Around a label's text, inside its box \[px\].
const LABEL_PAD: f64 = 1.0;
/// Between a label's box and any disc \[px\].
const CLEARANCE: f64 = 0.5;

const INK: RGBColor = RGBColor(20, 20, 20);
const FRAME_FILL: RGBColor = RGBColor(248, 248, 246);
const OUTLINE: RGBColor = RGBColor(60, 60, 60);
const LINK: RGBColor = RGBColor(150, 150, 150);
const MET: RGBColor = RGBColor(26, 152, 80);
const CLOSE: RGBColor = RGBColor(240, 170, 0);
const MISSED: RGBColor = RGBColor(215, 48, 39);
const NO_DATA: RGBColor = RGBColor(175, 175, 175);
/// Discs are this opaque, so that overlapping ones show.
const DISC_OPACITY: f64 = 0.85;
/// The KPI scale, low to high: viridis reversed, light to dark, so that
/// more reads darker (and still apart for colour-blind readers).
const KPI_STOPS: [RGBColor; 5] = [
    RGBColor(253, 231, 37),
    RGBColor(94, 201, 98),
    RGBColor(33, 145, 140),
    RGBColor(59, 82, 139),
    RGBColor(68, 1, 84),
];

/// The largest of 1, 2, 5 × 10ⁿ that is at most `x` (> 0); 1 otherwise.
fn nice_floor(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&v| v <= x * (1.0 + 1e-9))
        .unwrap_or(power)
}

/// Two or three round request counts for the size legend: the round
/// count at or below the largest, then about a quarter and a sixteenth of
/// it, while they differ.
fn reference_sizes(max_requests: f64) -> Vec<f64> {
    if max_requests.is_nan() || max_requests <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<f64> = Vec::new();
    for fraction in [1.0, 0.25, 0.0625] {
        let v = nice_floor(max_requests * fraction);
        if out.last().is_none_or(|&last| v < last) {
            out.push(v);
        }
    }
    out
}

/// The estimated box of `text` at `size` px: wide characters 1 em, others
/// 0.62 em (more than a digit or a Latin letter takes), 1.2 em high, plus
/// the label's padding \[px\].
fn text_size(text: &str, size: f64) -> (f64, f64) {
    let ems: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.62 } else { 1.0 })
        .sum();
    (ems * size + 2.0 * LABEL_PAD, 1.2 * size)
}

/// The eight boxes of `size` around `m`'s disc, in the order tried:
/// right, left, above, below, then the diagonals.
fn candidates(m: &Marker, (w, h): (f64, f64)) -> [PxRect; 8] {
    let gap = 1.5;
    let d = m.r + gap;
    let diagonal = m.r * std::f64::consts::FRAC_1_SQRT_2 + gap;
    let at = |x0: f64, y0: f64| PxRect {
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
    };
    [
        at(m.x + d, m.y - h / 2.0),
        at(m.x - d - w, m.y - h / 2.0),
        at(m.x - w / 2.0, m.y - d - h),
        at(m.x - w / 2.0, m.y + d),
        at(m.x + diagonal, m.y - diagonal - h),
        at(m.x + diagonal, m.y + diagonal),
        at(m.x - diagonal - w, m.y - diagonal - h),
        at(m.x - diagonal - w, m.y + diagonal),
    ]
}

/// The placed sites of each transformer with two or more, by name.
fn transformer_groups(sites: &[MapSite], placed: &[usize]) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in placed {
        if let Some(t) = &sites[i].transformer {
            groups.entry(t.clone()).or_default().push(i);
        }
    }
    groups.retain(|_, g| g.len() > 1);
    groups
}

/// The shortest tree through `group`'s sites (Prim's algorithm, ties by
/// input order), as pairs of site indices.
fn shortest_tree(sites: &[MapSite], group: &[usize]) -> Vec<(usize, usize)> {
    let distance =
        |a: usize, b: usize| (sites[a].x_m - sites[b].x_m).hypot(sites[a].y_m - sites[b].y_m);
    let mut in_tree = vec![false; group.len()];
    // For each site not in the tree: the nearest in it, and how far.
    let mut best: Vec<(f64, usize)> = vec![(f64::INFINITY, 0); group.len()];
    let mut edges = Vec::with_capacity(group.len().saturating_sub(1));
    let mut next = 0;
    for _ in 1..group.len() {
        in_tree[next] = true;
        for j in 0..group.len() {
            if !in_tree[j] {
                let d = distance(group[next], group[j]);
                if d < best[j].0 {
                    best[j] = (d, next);
                }
            }
        }
        let Some(j) = (0..group.len())
            .filter(|&j| !in_tree[j])
            .min_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(a.cmp(&b)))
        else {
            break;
        };
        edges.push((group[best[j].1], group[j]));
        next = j;
    }
    edges
}

/// The colour legend and the colour of each site.
struct ColourLegend {
    /// The title's lines.
    title: Vec<String>,
    kind: LegendKind,
    /// Whether a site lacks the value, so "no data" gets an entry.
    missing: bool,
    no_data: &'static str,
}

enum LegendKind {
    /// The three statuses' colours and names.
    Status([(RGBColor, &'static str); 3]),
    /// The KPI's range.
    Kpi { low: f64, high: f64 },
}

fn colour_legend(
    sites: &[MapSite],
    placed: &[usize],
    colour: &MapColour,
    words: &i18n::MapWords,
) -> ColourLegend {
    match colour {
        MapColour::Status => ColourLegend {
            title: wrap(words.status, 12.0, PANEL_WIDTH),
            kind: LegendKind::Status([
                (MET, words.met),
                (CLOSE, words.close),
                (MISSED, words.missed),
            ]),
            missing: placed.iter().any(|&i| sites[i].status.is_none()),
            no_data: words.no_data,
        },
        MapColour::Kpi { label } => {
            let values: Vec<f64> = placed
                .iter()
                .filter_map(|&i| sites[i].kpi)
                .filter(|v| v.is_finite())
                .collect();
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(-f64::INFINITY, f64::max);
            let (low, high) = if values.is_empty() {
                (0.0, 0.0)
            } else {
                (low, high)
            };
            ColourLegend {
                title: wrap(label, 12.0, PANEL_WIDTH),
                kind: LegendKind::Kpi { low, high },
                missing: placed
                    .iter()
                    .any(|&i| !sites[i].kpi.is_some_and(f64::is_finite)),
                no_data: words.no_data,
            }
        }
    }
}

impl ColourLegend {
    fn colour(&self, site: &MapSite) -> RGBColor {
        match &self.kind {
            LegendKind::Status(_) => match site.status {
                Some(TargetStatus::Met) => MET,
                Some(TargetStatus::Close) => CLOSE,
                Some(TargetStatus::Missed) => MISSED,
                None => NO_DATA,
            },
            LegendKind::Kpi { low, high } => match site.kpi.filter(|v| v.is_finite()) {
                Some(v) if high > low => ramp((v - low) / (high - low)),
                Some(_) => ramp(0.5),
                None => NO_DATA,
            },
        }
    }

    /// Draws the legend from `y` down; returns where it ends.
    fn draw(&self, items: &mut Vec<Item>, x: f64, mut y: f64) -> f64 {
        for line in &self.title {
            items.push(Item::plain(text(x, y + 8.0, line, 12.0, Anchor::Start)));
            y += 16.0;
        }
        y += 2.0;
        match &self.kind {
            LegendKind::Status(entries) => {
                for (color, name) in entries {
                    y = swatch(items, x, y, *color, name);
                }
            }
            LegendKind::Kpi { low, high } => {
                let steps = 24;
                let bar = 150.0;
                for k in 0..steps {
                    let x0 = x + 4.0 + bar * f64::from(k) / f64::from(steps);
                    items.push(Item::plain(Prim::Rect {
                        rect: PxRect {
                            x0,
                            y0: y,
                            x1: x0 + bar / f64::from(steps) + 0.5,
                            y1: y + 12.0,
                        },
                        fill: ramp((f64::from(k) + 0.5) / f64::from(steps)),
                    }));
                }
                y += 22.0;
                items.push(Item::plain(text(
                    x + 4.0,
                    y,
                    &short(*low),
                    11.0,
                    Anchor::Start,
                )));
                if high > low {
                    items.push(Item::plain(text(
                        x + 4.0 + bar,
                        y,
                        &short(*high),
                        11.0,
                        Anchor::End,
                    )));
                }
                y += 12.0;
            }
        }
        if self.missing {
            y = swatch(items, x, y, NO_DATA, self.no_data);
        }
        y
    }
}

/// A legend row: a disc of `color` and `name`; returns the next row's top.
fn swatch(items: &mut Vec<Item>, x: f64, y: f64, color: RGBColor, name: &str) -> f64 {
    items.push(Item::plain(Prim::Disc {
        x: x + 10.0,
        y: y + 9.0,
        r: 6.0,
        fill: color,
    }));
    items.push(Item::plain(text(
        x + 24.0,
        y + 9.0,
        name,
        12.0,
        Anchor::Start,
    )));
    y + 18.0
}

/// The colour at `t` in 0..=1 along [`KPI_STOPS`].
fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let at = t * (KPI_STOPS.len() - 1) as f64;
    let i = (at.floor() as usize).min(KPI_STOPS.len() - 2);
    let f = at - i as f64;
    let (a, b) = (KPI_STOPS[i], KPI_STOPS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The north arrow and the scale bar, side by side, from `y` down.
fn draw_north_and_scale(
    items: &mut Vec<Item>,
    x: f64,
    y: f64,
    words: &i18n::MapWords,
    metres: f64,
    px: f64,
) {
    let cx = x + 12.0;
    items.push(Item::plain(text(
        cx,
        y + 7.0,
        words.north,
        13.0,
        Anchor::Middle,
    )));
    items.push(Item::plain(Prim::Polygon {
        points: vec![
            (cx, y + 16.0),
            (cx + 7.0, y + 40.0),
            (cx, y + 34.0),
            (cx - 7.0, y + 40.0),
        ],
        fill: INK,
    }));
    let x0 = x + 36.0;
    let bar_y = y + 32.0;
    items.push(Item::plain(text(
        x0 + px / 2.0,
        bar_y - 11.0,
        &scale_text(metres),
        12.0,
        Anchor::Middle,
    )));
    items.push(Item::plain(Prim::Path {
        points: vec![
            (x0, bar_y - 5.0),
            (x0, bar_y),
            (x0 + px, bar_y),
            (x0 + px, bar_y - 5.0),
        ],
        color: INK,
        width: 2.0,
    }));
}

/// "500 m", "2 km".
fn scale_text(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{} km", trim(metres / 1000.0, 3))
    } else {
        format!("{} m", trim(metres, 3))
    }
}

/// The size legend from `y` down: its title, then a disc per reference
/// size with its count; returns where it ends.
fn draw_size_legend(
    items: &mut Vec<Item>,
    x: f64,
    mut y: f64,
    words: &i18n::MapWords,
    sizes: &[(f64, f64)],
) -> f64 {
    for line in wrap(words.requests, 12.0, PANEL_WIDTH) {
        items.push(Item::plain(text(x, y + 8.0, &line, 12.0, Anchor::Start)));
        y += 16.0;
    }
    y += 2.0;
    let cx = x + 4.0 + MAX_RADIUS_RANGE.1;
    for &(requests, r) in sizes {
        let row = (2.0 * r + 4.0).max(16.0);
        items.push(Item::plain(Prim::Disc {
            x: cx,
            y: y + row / 2.0,
            r,
            fill: NO_DATA,
        }));
        items.push(Item::plain(text(
            cx + MAX_RADIUS_RANGE.1 + 8.0,
            y + row / 2.0,
            &short(requests),
            12.0,
            Anchor::Start,
        )));
        y += row;
    }
    y
}

/// `x` with four significant digits and no trailing zeros: `1.5`, `250`.
fn short(x: f64) -> String {
    let text = value(x);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `text` in lines that fit `width` at `size` px (by [`text_size`]):
/// broken at spaces, or anywhere in text without them (Chinese).
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let fits = |line: &str| text_size(line, size).0 <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let spaced = text.contains(' ');
    let pieces: Vec<String> = if spaced {
        text.split(' ').map(str::to_owned).collect()
    } else {
        text.chars().map(String::from).collect()
    };
    for piece in pieces {
        let joined = if line.is_empty() {
            piece.clone()
        } else if spaced {
            format!("{line} {piece}")
        } else {
            format!("{line}{piece}")
        };
        if fits(&joined) || line.is_empty() {
            line = joined;
        } else {
            lines.push(std::mem::replace(&mut line, piece));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn text(x: f64, y: f64, text: &str, size: f64, anchor: Anchor) -> Prim {
    Prim::Text {
        x,
        y,
        text: text.to_owned(),
        size,
        anchor,
    }
}

/// What the map draws, in the SVG's pixels: shapes in layers, each layer
/// one `<g class>` in the SVG, drawn in order.
#[derive(Clone, Debug, PartialEq)]
struct Drawing {
    width: u32,
    height: u32,
    title: String,
    layers: Vec<Layer>,
}

#[derive(Clone, Debug, PartialEq)]
struct Layer {
    class: &'static str,
    items: Vec<Item>,
}

/// A shape and its tooltip (SVG only).
#[derive(Clone, Debug, PartialEq)]
struct Item {
    prim: Prim,
    title: Option<String>,
}

impl Item {
    fn plain(prim: Prim) -> Item {
        Item { prim, title: None }
    }
}

/// Where a text's x is: its start, middle or end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Debug, PartialEq)]
enum Prim {
    /// A disc with an outline.
    Disc {
        x: f64,
        y: f64,
        r: f64,
        fill: RGBColor,
    },
    /// A polyline.
    Path {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        width: f64,
    },
    /// A filled polygon.
    Polygon {
        points: Vec<(f64, f64)>,
        fill: RGBColor,
    },
    /// A filled rectangle.
    Rect { rect: PxRect, fill: RGBColor },
    /// One line of text, anchored at its vertical middle.
    Text {
        x: f64,
        y: f64,
        text: String,
        size: f64,
        anchor: Anchor,
    },
}

/// A pixel coordinate in the SVG: at most one decimal.
fn n(x: f64) -> String {
    trim(x, 1)
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

impl Drawing {
    /// Every text drawn.
    fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.title.as_str()];
        for layer in &self.layers {
            for item in &layer.items {
                if let Prim::Text { text, .. } = &item.prim {
                    out.push(text);
                }
            }
        }
        out
    }

    fn svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" class=\"chart map\" role=\"img\" font-family=\"{FONT}\">\n\
             <title>{}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            escape(&self.title)
        );
        for layer in &self.layers {
            let _ = writeln!(s, "<g class=\"{}\">", layer.class);
            for item in &layer.items {
                let (open, close) = match &item.title {
                    Some(t) => (format!("><title>{}</title></", escape(t)), ">".to_owned()),
                    None => (String::new(), String::new()),
                };
                match &item.prim {
                    Prim::Disc { x, y, r, fill } => {
                        let _ = write!(
                            s,
                            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" fill-opacity=\"{DISC_OPACITY}\" \
                             stroke=\"{}\" stroke-width=\"0.8\"",
                            n(*x),
                            n(*y),
                            trim(*r, 2),
                            hex(*fill),
                            hex(OUTLINE)
                        );
                        close_tag(&mut s, "circle", &open, &close);
                    }
                    Prim::Path {
                        points,
                        color,
                        width,
                    } => {
                        let _ = write!(
                            s,
                            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"",
                            points_attr(points),
                            hex(*color),
                            trim(*width, 1)
                        );
                        close_tag(&mut s, "polyline", &open, &close);
                    }
                    Prim::Polygon { points, fill } => {
                        let _ = write!(
                            s,
                            "<polygon points=\"{}\" fill=\"{}\"",
                            points_attr(points),
                            hex(*fill)
                        );
                        close_tag(&mut s, "polygon", &open, &close);
                    }
                    Prim::Rect { rect, fill } => {
                        let _ = write!(
                            s,
                            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
                            n(rect.x0),
                            n(rect.y0),
                            n(rect.x1 - rect.x0),
                            n(rect.y1 - rect.y0),
                            hex(*fill)
                        );
                        close_tag(&mut s, "rect", &open, &close);
                    }
                    Prim::Text {
                        x,
                        y,
                        text,
                        size,
                        anchor,
                    } => {
                        let anchor = match anchor {
                            Anchor::Start => "start",
                            Anchor::Middle => "middle",
                            Anchor::End => "end",
                        };
                        let _ = writeln!(
                            s,
                            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" \
                             dominant-baseline=\"middle\" fill=\"{}\">{}</text>",
                            n(*x),
                            n(*y),
                            trim(*size, 1),
                            hex(INK),
                            escape(text)
                        );
                    }
                }
            }
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
        s
    }

    fn png(&self, font: &Font) -> Vec<u8> {
        let size = (self.width * PNG_SCALE, self.height * PNG_SCALE);
        let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
        {
            let root = TextBitmap::new(&mut rgb, size, font).into_drawing_area();
            // Drawing into memory fails only on a bug: the text is drawn
            // by the backend and the bitmap is its size.
            self.draw_on(&root)
                .expect("drawing a bitmap in memory cannot fail");
            root.present()
                .expect("presenting a bitmap in memory cannot fail");
        }
        encode_png(&rgb, size)
    }

    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let k = f64::from(PNG_SCALE);
        let p = |x: f64, y: f64| ((x * k).round() as i32, (y * k).round() as i32);
        let pts = |points: &[(f64, f64)]| points.iter().map(|&(x, y)| p(x, y)).collect::<Vec<_>>();
        root.fill(&WHITE)?;
        for layer in &self.layers {
            for item in &layer.items {
                match &item.prim {
                    Prim::Disc { x, y, r, fill } => {
                        let radius = (r * k).round().max(1.0) as u32;
                        root.draw(&Circle::new(
                            p(*x, *y),
                            radius,
                            fill.mix(DISC_OPACITY).filled(),
                        ))?;
                        root.draw(&Circle::new(
                            p(*x, *y),
                            radius,
                            OUTLINE.stroke_width(PNG_SCALE),
                        ))?;
                    }
                    Prim::Path {
                        points,
                        color,
                        width,
                    } => {
                        let w = (width * k).round().max(1.0) as u32;
                        root.draw(&PathElement::new(pts(points), color.stroke_width(w)))?;
                    }
                    Prim::Polygon { points, fill } => {
                        root.draw(&Polygon::new(pts(points), fill.filled()))?;
                    }
                    Prim::Rect { rect, fill } => {
                        root.draw(&Rectangle::new(
                            [p(rect.x0, rect.y0), p(rect.x1, rect.y1)],
                            fill.filled(),
                        ))?;
                    }
                    Prim::Text {
                        x,
                        y,
                        text,
                        size,
                        anchor,
                    } => {
                        // plotters' text size is the SVG font-size × 1.24.
                        let style = (FONT, size * k * 1.24)
                            .into_font()
                            .color(&INK)
                            .pos(Pos::new(
                                match anchor {
                                    Anchor::Start => HPos::Left,
                                    Anchor::Middle => HPos::Center,
                                    Anchor::End => HPos::Right,
                                },
                                VPos::Center,
                            ));
                        root.draw(&Text::new(text.clone(), p(*x, *y), style))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Ends an element: `/>`, or its title and closing tag (`open` and
/// `close` from the item's title).
fn close_tag(s: &mut String, tag: &str, open: &str, close: &str) {
    if open.is_empty() {
        s.push_str("/>\n");
    } else {
        let _ = writeln!(s, "{open}{tag}{close}");
    }
}

fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|&(x, y)| format!("{},{}", n(x), n(y)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn site(name: &str, x_m: f64, y_m: f64, requests: f64) -> MapSite {
        MapSite {
            name: name.to_owned(),
            x_m,
            y_m,
            requests_per_day: requests,
            status: Some(TargetStatus::Met),
            kpi: None,
            label: Some("6".to_owned()),
            transformer: None,
        }
    }

    /// A uniform number in `low..high`.
    fn uniform(rng: &mut Xoshiro256PlusPlus, low: f64, high: f64) -> f64 {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        low + (high - low) * u
    }

    /// 175 sites spread like a district, from seed 11: nine towns whose
    /// centres lie in 18 × 14 km, each site within 1.5 km of its town's,
    /// 10–250 requests a day, cabinet counts of 1–2 digits as labels,
    /// three sites of a town to a transformer, every status.
    fn district() -> Vec<MapSite> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let towns: Vec<(f64, f64)> = (0..9)
            .map(|_| {
                (
                    uniform(&mut rng, -9000.0, 9000.0),
                    uniform(&mut rng, -7000.0, 7000.0),
                )
            })
            .collect();
        (0..175)
            .map(|i| {
                let (tx, ty) = towns[i % towns.len()];
                let angle = uniform(&mut rng, 0.0, std::f64::consts::TAU);
                let distance = 1500.0 * uniform(&mut rng, 0.0, 1.0).sqrt();
                let requests = uniform(&mut rng, 10.0, 250.0);
                MapSite {
                    name: format!("小区-{i:03}"),
                    x_m: tx + distance * angle.cos(),
                    y_m: ty + distance * angle.sin(),
                    requests_per_day: requests,
                    status: Some(
                        [TargetStatus::Met, TargetStatus::Close, TargetStatus::Missed][i % 3],
                    ),
                    kpi: Some(requests / 10.0),
                    label: Some(format!("{}", 1 + (requests / 12.0) as u32)),
                    transformer: Some(format!("T{}-{}", i % towns.len(), i / 27)),
                }
            })
            .collect()
    }

    /// The SVG parsed as XML, as the page is (tests/report.rs), or a
    /// failed test.
    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("the map is not well-formed: {e}"))
    }

    /// The `<circle>`s in `<g class="sites">`.
    fn site_circles(svg: &str) -> usize {
        let doc = parse(svg);
        doc.descendants()
            .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("sites"))
            .flat_map(|g| g.children().filter(|c| c.tag_name().name() == "circle"))
            .count()
    }

    /// No label's box overlaps another's or any disc, and every box lies
    /// inside the frame.
    fn assert_labels_clear(layout: &MapLayout) {
        for (i, a) in layout.labels.iter().enumerate() {
            assert!(layout.frame.contains(&a.rect), "{a:?} leaves the frame");
            for b in &layout.labels[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "{a:?} overlaps {b:?}");
            }
            for m in &layout.markers {
                assert!(!a.rect.touches_disc(m.x, m.y, m.r), "{a:?} covers {m:?}");
            }
        }
    }

    fn assert_finite(map: &SiteMap) {
        for bad in ["NaN", "inf"] {
            assert!(!map.svg.contains(bad), "{bad} in {}", map.svg);
        }
        for m in &map.layout.markers {
            assert!(
                m.x.is_finite() && m.y.is_finite() && m.r.is_finite(),
                "{m:?}"
            );
        }
    }

    #[test]
    fn a_district_keeps_every_marker_and_labels_where_they_fit() {
        let sites = district();
        for lang in [Lang::Zh, Lang::En] {
            let map = site_map(&sites, &MapColour::Status, lang);
            assert_eq!(map.layout.markers.len(), sites.len());
            assert_eq!(site_circles(&map.svg), sites.len());
            assert_labels_clear(&map.layout);
            assert_finite(&map);
            let placed = map.layout.labels.len();
            assert_eq!(map.layout.labels_wanted, 175);
            // Dense towns leave some out; about half still fit.
            assert!((80..175).contains(&placed), "{placed} of 175 labels placed");
            let doc = parse(&map.svg);
            let labels = doc
                .descendants()
                .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("labels"))
                .flat_map(|g| g.children().filter(|c| c.tag_name().name() == "text"))
                .count();
            assert_eq!(labels, placed);
        }
    }

    /// The shipped district's 175 communities, their cabinets as labels
    /// and their subscribers as requests a day (about one swap each).
    #[test]
    fn the_shipped_district_keeps_every_marker() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/bishan-district-sites.csv"
        );
        let mut reader = csv::Reader::from_path(path).expect("the district's sites");
        let headers = reader.headers().expect("a header").clone();
        let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (name, x, y, ebikes, adoption, cabinets) = (
            column("name"),
            column("x_m"),
            column("y_m"),
            column("ebikes"),
            column("swap_adoption"),
            column("cabinets"),
        );
        let number = |r: &csv::StringRecord, i: usize| -> f64 { r[i].parse().expect("a number") };
        let sites: Vec<MapSite> = reader
            .records()
            .map(|r| r.expect("a row"))
            .map(|r| MapSite {
                name: r[name].to_owned(),
                x_m: number(&r, x),
                y_m: number(&r, y),
                requests_per_day: number(&r, ebikes) * number(&r, adoption),
                status: Some(TargetStatus::Met),
                kpi: None,
                label: Some(r[cabinets].to_owned()),
                transformer: None,
            })
            .collect();
        assert_eq!(sites.len(), 175);
        let map = site_map(&sites, &MapColour::Status, Lang::Zh);
        assert_eq!(site_circles(&map.svg), 175);
        assert_labels_clear(&map.layout);
        let placed = map.layout.labels.len();
        // Its towns are tight clusters: about half the labels fit.
        assert!(placed >= 80, "{placed} of 175 labels placed");
    }

    #[test]
    fn larger_sites_get_their_labels_first() {
        let sites = district();
        let map = site_map(&sites, &MapColour::Status, Lang::En);
        let requests = |i: usize| sites[i].requests_per_day;
        let order: Vec<f64> = map.layout.labels.iter().map(|l| requests(l.site)).collect();
        assert!(order.windows(2).all(|w| w[0] >= w[1]), "{order:?}");
        // The largest site always has room: nothing was placed before it.
        let largest = (0..sites.len())
            .max_by(|&a, &b| requests(a).total_cmp(&requests(b)))
            .expect("sites");
        assert_eq!(map.layout.labels[0].site, largest);
    }

    #[test]
    fn the_root_is_a_map_svg() {
        let map = site_map(&district(), &MapColour::Status, Lang::Zh);
        let doc = parse(&map.svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("class"), Some("chart map"));
        assert_eq!(
            root.attribute("viewBox"),
            Some(format!("0 0 {} {}", map.layout.width, map.layout.height).as_str())
        );
        assert_eq!(map.name, "map");
        // Every disc has its site's name as a tooltip.
        assert!(map.svg.contains("<title>小区-000: "));
        // The drawn title is a layer of its own, which the HTML page hides
        // under the section's heading (one title, not two).
        let title = root
            .descendants()
            .find(|n| n.attribute("class") == Some("title"))
            .expect("a title layer");
        let text: String = title
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(text.trim(), map.title);
    }

    #[test]
    fn marker_areas_are_proportional_to_requests() {
        let sites = district();
        let map = site_map(&sites, &MapColour::Status, Lang::En);
        let per_request: Vec<f64> = map
            .layout
            .markers
            .iter()
            .filter(|m| m.r > MIN_RADIUS_PX)
            .map(|m| m.r * m.r / sites[m.site].requests_per_day)
            .collect();
        assert!(per_request.len() > 150, "{}", per_request.len());
        let first = per_request[0];
        for k in &per_request {
            assert!((k / first - 1.0).abs() < 1e-9, "{k} against {first}");
        }
        // The legend's reference discs are on the same scale.
        assert!((2..=3).contains(&map.layout.size_legend.len()));
        for &(requests, r) in &map.layout.size_legend {
            assert!(nice_floor(requests) == requests, "{requests}");
            if r > MIN_RADIUS_PX {
                assert!((r * r / requests / first - 1.0).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn the_scale_bar_is_a_round_length() {
        for span_m in [
            0.0, 90.0, 400.0, 1234.0, 5000.0, 18_000.0, 60_000.0, 250_000.0,
        ] {
            let sites = [
                site("a", 0.0, 0.0, 5.0),
                site("b", span_m, span_m / 2.0, 9.0),
            ];
            let layout = site_map(&sites, &MapColour::Status, Lang::Zh).layout;
            let m = layout.scale_bar_m;
            let power = 10f64.powf(m.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|k| (m / power - k).abs() < 1e-9),
                "{span_m} m: bar of {m} m"
            );
            assert!(
                layout.scale_bar_px <= SCALE_BAR_MAX_PX + 1e-9
                    && layout.scale_bar_px > SCALE_BAR_MAX_PX / 2.5 - 1e-9,
                "{span_m} m: bar of {} px",
                layout.scale_bar_px
            );
            assert!((layout.scale_bar_px / m - layout.px_per_m).abs() < 1e-9);
        }
        assert_eq!(scale_text(500.0), "500 m");
        assert_eq!(scale_text(2000.0), "2 km");
    }

    #[test]
    fn both_axes_have_one_scale() {
        let sites = [
            site("w", 0.0, 0.0, 10.0),
            site("e", 4000.0, 0.0, 10.0),
            site("n", 0.0, 1000.0, 10.0),
        ];
        let layout = site_map(&sites, &MapColour::Status, Lang::En).layout;
        let [w, e, n] = [0, 1, 2].map(|i| layout.markers[i]);
        assert!((e.x - w.x - 4000.0 * layout.px_per_m).abs() < 1e-9);
        // North is up.
        assert!((w.y - n.y - 1000.0 * layout.px_per_m).abs() < 1e-9);
    }

    #[test]
    fn degenerate_inputs_still_make_a_map() {
        let one = [site("一", 120.0, -40.0, 30.0)];
        let same: Vec<MapSite> = (0..6)
            .map(|i| site(&format!("s{i}"), 5.0, 5.0, 10.0))
            .collect();
        let zero: Vec<MapSite> = (0..4)
            .map(|i| site(&format!("z{i}"), f64::from(i) * 300.0, 0.0, 0.0))
            .collect();
        let mut odd = [
            site("nan", 0.0, 0.0, f64::NAN),
            site("big", 500.0, 0.0, 20.0),
        ];
        odd[0].kpi = Some(f64::INFINITY);
        odd[1].kpi = Some(3.0);
        let kpi = MapColour::Kpi {
            label: "Wait p95 [min]".to_owned(),
        };
        for (sites, colour) in [
            (&one[..], &MapColour::Status),
            (&same[..], &MapColour::Status),
            (&zero[..], &MapColour::Status),
            (&odd[..], &kpi),
            (&[][..], &kpi),
        ] {
            let map = site_map(sites, colour, Lang::En);
            assert_eq!(site_circles(&map.svg), sites.len());
            assert_labels_clear(&map.layout);
            assert_finite(&map);
            for m in &map.layout.markers {
                assert!(m.r >= MIN_RADIUS_PX, "{m:?}");
            }
        }
        // Six labels round one point: at most eight places, and the discs
        // sit on each other, so some labels give way.
        let map = site_map(&same, &MapColour::Status, Lang::En);
        assert!(!map.layout.labels.is_empty() && map.layout.labels.len() <= 6);
        assert!(
            site_map(&zero, &MapColour::Status, Lang::En)
                .layout
                .size_legend
                .is_empty()
        );
    }

    #[test]
    fn kpi_colours_run_from_light_to_dark_with_a_legend() {
        let mut sites: Vec<MapSite> = (0..3)
            .map(|i| site(&format!("k{i}"), f64::from(i) * 500.0, 0.0, 10.0))
            .collect();
        sites[0].kpi = Some(1.5);
        sites[1].kpi = Some(4.25);
        sites[2].kpi = None;
        let colour = MapColour::Kpi {
            label: "等待 P95 [分钟]".to_owned(),
        };
        let map = site_map(&sites, &colour, Lang::Zh);
        let doc = parse(&map.svg);
        let fills: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "circle")
            .filter(|n| n.parent().and_then(|p| p.attribute("class")) == Some("sites"))
            .filter_map(|n| n.attribute("fill"))
            .collect();
        for c in [ramp(0.0), ramp(1.0), NO_DATA] {
            assert!(fills.contains(&hex(c).as_str()), "{} in {fills:?}", hex(c));
        }
        let texts = map.drawing.texts();
        for t in ["等待 P95 [分钟]", "1.5", "4.25", "无数据"] {
            assert!(texts.contains(&t), "{t} in {texts:?}");
        }
        assert!(map.caption.contains("等待 P95 [分钟]"), "{}", map.caption);
    }

    #[test]
    fn a_transformers_sites_are_joined_by_a_tree() {
        let mut sites: Vec<MapSite> = (0..6)
            .map(|i| site(&format!("t{i}"), f64::from(i) * 200.0, 0.0, 10.0))
            .collect();
        for (i, s) in sites.iter_mut().enumerate() {
            s.transformer = Some(
                if i < 4 {
                    "T1"
                } else if i == 4 {
                    "T2"
                } else {
                    "T3"
                }
                .to_owned(),
            );
        }
        let map = site_map(&sites, &MapColour::Status, Lang::En);
        // On a line, the shortest tree joins neighbours.
        assert_eq!(map.layout.links, vec![(0, 1), (1, 2), (2, 3)]);
        assert!(map.caption.contains("one transformer"), "{}", map.caption);
        assert!(map.drawing.texts().contains(&"Sites on one transformer"));
        for s in &mut sites {
            s.transformer = None;
        }
        let map = site_map(&sites, &MapColour::Status, Lang::En);
        assert!(map.layout.links.is_empty());
        assert!(!map.drawing.texts().contains(&"Sites on one transformer"));
    }

    /// The Chinese map shows no English word: no run of three Latin
    /// letters outside the site names.
    #[test]
    fn a_chinese_map_has_no_english_words() {
        let sites = district();
        for colour in [
            MapColour::Status,
            MapColour::Kpi {
                label: "缺电率 [%]".to_owned(),
            },
        ] {
            let map = site_map(&sites, &colour, Lang::Zh);
            let doc = parse(&map.svg);
            let mut texts: Vec<String> = doc
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .map(str::to_owned)
                .collect();
            texts.push(map.caption.clone());
            for text in texts {
                let rest = sites
                    .iter()
                    .fold(text.clone(), |t, s| t.replace(&s.name, " "));
                let english = rest
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .find(|w| w.len() >= 3);
                assert!(english.is_none(), "{english:?} in {text:?}");
            }
        }
    }

    #[test]
    fn legend_titles_wrap_to_the_panel() {
        let lines = wrap(
            "Flying-wire charging sessions per 1000 e-bikes a day [1/d]",
            12.0,
            PANEL_WIDTH,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_size(l, 12.0).0 <= PANEL_WIDTH));
        assert_eq!(wrap("换电请求", 12.0, PANEL_WIDTH), vec!["换电请求"]);
    }

    /// The font for the PNG checks, as tests/report.rs finds it:
    /// `$SWAPSIM_FONT`, else one of [`crate::CJK_FONT_PATHS`]; without one
    /// the check is skipped with a note, but under CI (`CI` set) it fails.
    fn png_font() -> Option<Font> {
        let font = match std::env::var_os("SWAPSIM_FONT").filter(|v| !v.is_empty()) {
            Some(path) => {
                Some(Font::load(std::path::Path::new(&path)).expect("$SWAPSIM_FONT loads"))
            }
            None => crate::find_cjk_font(crate::CJK_FONT_PATHS),
        };
        if font.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI has no font for the PNG map: .ci/run installs fonts-noto-cjk"
            );
            eprintln!("note: no CJK font (fonts-noto-cjk): PNG map check skipped");
        }
        font
    }

    /// `SWAPSIM_MAP_PNG=FILE` writes the PNG to FILE, to look at.
    #[test]
    fn the_png_is_the_map_twice_the_size() {
        let Some(font) = png_font() else { return };
        let map = site_map(&district(), &MapColour::Status, Lang::Zh);
        let bytes = map.png(&font).expect("the font has every glyph");
        if let Some(path) = std::env::var_os("SWAPSIM_MAP_PNG") {
            std::fs::write(path, &bytes).expect("write the map");
        }
        assert_eq!(bytes, map.png(&font).expect("PNG"), "deterministic");
        let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .expect("a PNG header");
        let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader.next_frame(&mut buffer).expect("PNG pixels");
        assert_eq!(
            (info.width, info.height),
            (map.layout.width * PNG_SCALE, map.layout.height * PNG_SCALE)
        );
        let pixels: Vec<[u8; 3]> = buffer[..info.buffer_size()]
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        // Each status colour shows, as a disc blended over the frame.
        let over = |c: u8, under: u8| {
            (f64::from(c) * DISC_OPACITY + f64::from(under) * (1.0 - DISC_OPACITY)).round() as u8
        };
        for c in [MET, CLOSE, MISSED] {
            let shown = [
                over(c.0, FRAME_FILL.0),
                over(c.1, FRAME_FILL.1),
                over(c.2, FRAME_FILL.2),
            ];
            let near = |p: &[u8; 3]| p.iter().zip(shown).all(|(a, b)| a.abs_diff(b) <= 3);
            let count = pixels.iter().filter(|p| near(p)).count();
            assert!(count > 500, "{c:?}: {count} pixels");
        }
    }

    #[test]
    fn a_font_without_the_glyphs_is_an_error() {
        let Some(font) = png_font() else { return };
        let colour = MapColour::Kpi {
            label: "KPI \u{1F50B}".to_owned(),
        };
        let map = site_map(&district(), &colour, Lang::En);
        let err = map
            .png(&font)
            .expect_err("no battery emoji in a CJK text font");
        assert!(err.to_string().contains("in chart 'map'"), "{err}");
    }
}

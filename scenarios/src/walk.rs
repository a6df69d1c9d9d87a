//! A typed walk over the spanned TOML tree that reports every problem it meets.
//!
//! Each schema section reads its table through a [`Table`]: it asks for every
//! key it knows with a [`Kind`] that says what a valid value is, then calls
//! [`Table::finish`], which reports the keys nobody asked for. A problem is
//! reported to the [`Sink`] and the walk goes on, so one pass finds them all.
//! A getter returns `None` for a value that is missing or invalid (already
//! reported); a section builds its part of the model only when all are `Some`.
//!
//! Adding a key is one line in its section; adding a section is one module
//! with a `read` function over a [`Table`]. A key whose value can take
//! several shapes (a number or a distribution table, a name or an array) is
//! taken as an [`Item`] and read by its section.
//!
//! A table can come from another file than the scenario: the rows of a
//! `[[site_table]]` CSV are tables whose values are the cells, so they are
//! checked by the same code and reported at their own file, line and column.

use std::fmt::{self, Display};
use std::ops::{Bound, Range};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{FileId, Sink};
use crate::plausible;

/// Byte range in the source.
pub(crate) type Span = Range<usize>;

/// A TOML value with its byte range.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// Dotted path of `key` in the table at `path` (empty at the root); a key
/// that is not bare in TOML is quoted, as in `site[0]."容量"`.
pub(crate) fn field(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// A value was present but invalid; the problem has been reported.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Invalid;

/// One table of the document, and which of its keys were read.
pub(crate) struct Table<'a, 'i> {
    /// Dotted path of the table, like `site[0].demand`; empty at the root.
    path: String,
    /// The entity the table describes, like `site 'A'`, prefixed to messages.
    subject: Option<String>,
    /// Header (`[battery]`), inline table, or dotted key of the table.
    span: Span,
    /// The file the table is in.
    file: FileId,
    /// Entries in source order.
    entries: Vec<Entry<'a, 'i>>,
    /// Keys the schema asked for, in the order it asked.
    known: Vec<&'static str>,
    /// Set when the table's shape is unknown (a bad `model`): its other keys
    /// cannot be judged, so they are not reported.
    skip_unknown: bool,
}

struct Entry<'a, 'i> {
    key: &'a str,
    key_span: Span,
    value: &'a Value<'i>,
    used: bool,
}

impl<'a, 'i> Table<'a, 'i> {
    /// The document's root table.
    pub(crate) fn root(document: &'a Spanned<DeTable<'i>>) -> Self {
        Self::new(
            String::new(),
            None,
            document.span(),
            FileId::MAIN,
            document.get_ref(),
        )
    }

    /// A table of `file` at `span` with the dotted path `path`; also for
    /// tables built outside the TOML tree, like the rows of a CSV file.
    pub(crate) fn new(
        path: String,
        subject: Option<String>,
        span: Span,
        file: FileId,
        table: &'a DeTable<'i>,
    ) -> Self {
        let mut entries: Vec<_> = table
            .iter()
            .map(|(key, value)| Entry {
                key: key.get_ref(),
                key_span: key.span(),
                value,
                used: false,
            })
            .collect();
        entries.sort_by_key(|e| e.key_span.start);
        Table {
            path,
            subject,
            span,
            file,
            entries,
            known: Vec::new(),
            skip_unknown: false,
        }
    }

    /// Names the entity this table (and the tables read from it) describes;
    /// every message about it starts with `subject: `.
    pub(crate) fn set_subject(&mut self, subject: String) {
        self.subject = Some(subject);
    }

    /// The subject set by [`Table::set_subject`], if any.
    pub(crate) fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// Dotted path of the table; empty at the root.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Where the table itself is: its header or inline table.
    pub(crate) fn here(&self) -> At {
        At {
            file: self.file,
            span: self.span.clone(),
            field: self.path.clone(),
        }
    }

    /// Where `key`'s value is, or the table itself when the key is absent;
    /// the field is `key`'s path either way.
    pub(crate) fn at(&self, key: &str) -> At {
        At {
            file: self.file,
            span: self.span_of(key),
            field: self.field(key),
        }
    }

    /// Dotted path of `key` in this table; a key that is not bare in TOML
    /// is quoted, as in `site[0]."容量"`.
    pub(crate) fn field(&self, key: &str) -> String {
        field(&self.path, key)
    }

    /// Span of `key`'s value, or of the table itself when the key is absent.
    fn span_of(&self, key: &str) -> Span {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map_or_else(|| self.span.clone(), |e| e.value.span())
    }

    /// Whether the file sets `key` (rather than leaving it to its default).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// Reports a problem with `key`'s value (or the table, if `key` is
    /// absent), prefixed with the table's subject.
    pub(crate) fn error(&self, sink: &mut Sink<'_>, key: &str, message: impl Display) {
        self.at(key).error(sink, self.subject(), message);
    }

    /// Reports a problem with the table as a whole, at its header.
    pub(crate) fn error_here(&self, sink: &mut Sink<'_>, message: impl Display) {
        self.here().error(sink, self.subject(), message);
    }

    /// Reports that `key` is missing, at the table's header; `expected`
    /// says what a valid value is.
    pub(crate) fn missing(&self, sink: &mut Sink<'_>, key: &str, expected: &str) {
        At {
            field: self.field(key),
            ..self.here()
        }
        .error(
            sink,
            self.subject(),
            format_args!("missing required key `{key}`, expected {expected}"),
        );
    }

    /// Marks `key` as known to the schema and returns its entry, if present.
    fn take(&mut self, key: &'static str) -> Option<&Entry<'a, 'i>> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        let entry = self.entries.iter_mut().find(|e| e.key == key)?;
        entry.used = true;
        Some(entry)
    }

    /// A key that must be present.
    pub(crate) fn required<K: Kind>(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        kind: &K,
    ) -> Option<K::Out> {
        self.required_item(sink, key, &kind.expected())?
            .read(sink, kind)
    }

    /// A key that may be absent: `Ok(None)`.
    pub(crate) fn optional<K: Kind>(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        kind: &K,
    ) -> Result<Option<K::Out>, Invalid> {
        match self.item(key) {
            None => Ok(None),
            Some(item) => item.read(sink, kind).map(Some).ok_or(Invalid),
        }
    }

    /// A key that takes `default` when absent; `None` when invalid.
    pub(crate) fn defaulted<K: Kind>(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        kind: &K,
        default: K::Out,
    ) -> Option<K::Out> {
        self.optional(sink, key, kind)
            .ok()
            .map(|out| out.unwrap_or(default))
    }

    /// The value of `key` as an [`Item`], for values of several shapes;
    /// `None` when absent.
    pub(crate) fn item(&mut self, key: &'static str) -> Option<Item<'a, 'i>> {
        let entry = self.take(key)?;
        let (key, key_span, value) = (entry.key, entry.key_span.clone(), entry.value);
        Some(self.item_of(key, key_span, value))
    }

    /// The value of `key` as an [`Item`]; reports it missing (expecting
    /// `expected`) when absent.
    pub(crate) fn required_item(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        expected: &str,
    ) -> Option<Item<'a, 'i>> {
        let item = self.item(key);
        if item.is_none() {
            self.missing(sink, key, expected);
        }
        item
    }

    /// Every entry of a table whose keys are names from the data, like
    /// `mix = { commuter = 0.7, courier = 0.3 }`; all count as known.
    pub(crate) fn entries(&mut self) -> Vec<(&'a str, Item<'a, 'i>)> {
        for entry in &mut self.entries {
            entry.used = true;
        }
        self.entries
            .iter()
            .map(|e| (e.key, self.item_of(e.key, e.key_span.clone(), e.value)))
            .collect()
    }

    fn item_of(&self, key: &str, key_span: Span, value: &'a Value<'i>) -> Item<'a, 'i> {
        Item {
            value,
            key_span,
            path: self.field(key),
            subject: self.subject.clone(),
            file: self.file,
        }
    }

    /// A sub-table that must be present, inline (`{ ... }`) or standard.
    pub(crate) fn required_table(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
    ) -> Option<Table<'a, 'i>> {
        let Some(item) = self.item(key) else {
            let field = self.field(key);
            let message = format!("missing required table `[{field}]`");
            At {
                field,
                ..self.here()
            }
            .error(sink, self.subject(), message);
            return None;
        };
        item.table(sink)
    }

    /// A sub-table that may be absent; `Err` when present but not a table
    /// (reported).
    pub(crate) fn optional_table(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
    ) -> Result<Option<Table<'a, 'i>>, Invalid> {
        match self.item(key) {
            None => Ok(None),
            Some(item) => item.table(sink).map(Some).ok_or(Invalid),
        }
    }

    /// An array of tables (`[[site]]`) that must have at least one element.
    ///
    /// One entry per element, `None` for an element that is not a table;
    /// empty when the key is missing or not an array. Either way the problem
    /// has been reported, and the good elements can still be checked.
    pub(crate) fn required_tables(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
    ) -> Vec<Option<Table<'a, 'i>>> {
        let Some(item) = self.item(key) else {
            let field = self.field(key);
            let message = format!("missing required table `[[{field}]]`, expected at least one");
            At {
                field,
                ..self.here()
            }
            .error(sink, self.subject(), message);
            return Vec::new();
        };
        if matches!(item.get(), DeValue::Array(elements) if elements.is_empty()) {
            let message = format!(
                "expected at least one `[[{}]]` table, found none",
                item.path
            );
            item.error(sink, message);
        }
        item.tables(sink)
    }

    /// An array of tables (`[[group]]`) that may be absent or empty; as
    /// [`Table::required_tables`] otherwise.
    pub(crate) fn optional_tables(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
    ) -> Vec<Option<Table<'a, 'i>>> {
        self.item(key)
            .map(|item| item.tables(sink))
            .unwrap_or_default()
    }

    /// Reads the `model` key that selects the shape of a tagged table. When
    /// it is missing or unknown the table's other keys cannot be judged, so
    /// [`Table::finish`] will not report them.
    pub(crate) fn model(
        &mut self,
        sink: &mut Sink<'_>,
        models: &'static [&'static str],
    ) -> Option<&'static str> {
        self.tag(sink, "model", models)
    }

    /// Like [`Table::model`], with another key naming the shape, as in
    /// `{ dist = "uniform", low = 1, high = 2 }`.
    pub(crate) fn tag(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        names: &'static [&'static str],
    ) -> Option<&'static str> {
        let tag = self.required(sink, key, &Choice(names));
        self.skip_unknown |= tag.is_none();
        tag
    }

    /// Reports every key the schema did not ask for.
    pub(crate) fn finish(self, sink: &mut Sink<'_>) {
        if self.skip_unknown {
            return;
        }
        for entry in self.entries.iter().filter(|e| !e.used) {
            let message = format!(
                "unknown key, expected {}{}",
                one_of(&self.known),
                did_you_mean(entry.key, &self.known)
            );
            At {
                file: self.file,
                span: entry.key_span.clone(),
                field: self.field(entry.key),
            }
            .error(sink, self.subject(), message);
        }
    }
}

/// One value of the document with its path, for a section to look at
/// before reading it: a number or a table, a name or an array.
pub(crate) struct Item<'a, 'i> {
    value: &'a Value<'i>,
    /// The key's span; the value's for an array element.
    key_span: Span,
    /// Dotted path, like `group[0].daily_km` or `tariff.peak.hours[1]`.
    path: String,
    subject: Option<String>,
    file: FileId,
}

impl<'a, 'i> Item<'a, 'i> {
    /// The value.
    pub(crate) fn get(&self) -> &'a DeValue<'i> {
        self.value.get_ref()
    }

    /// Where the value is.
    pub(crate) fn at(&self) -> At {
        At {
            file: self.file,
            span: self.value.span(),
            field: self.path.clone(),
        }
    }

    /// Reports a problem with the value.
    pub(crate) fn error(&self, sink: &mut Sink<'_>, message: impl Display) {
        self.at().error(sink, self.subject.as_deref(), message);
    }

    /// Reports a problem with the key, like a name that refers to nothing.
    pub(crate) fn key_error(&self, sink: &mut Sink<'_>, message: impl Display) {
        At {
            span: self.key_span.clone(),
            ..self.at()
        }
        .error(sink, self.subject.as_deref(), message);
    }

    /// Reads the value with `kind`; `None` when invalid (reported).
    pub(crate) fn read<K: Kind>(&self, sink: &mut Sink<'_>, kind: &K) -> Option<K::Out> {
        let raw = sink.text_in(self.file, self.value.span());
        match kind.read(self.get(), raw) {
            Ok(out) => {
                if let Some(x) = number(self.get()) {
                    self.judge(sink, x, plausible::Of::Value);
                }
                Some(out)
            }
            Err(message) => {
                self.error(sink, message);
                None
            }
        }
    }

    /// Warns when `x`, the value or the mean of the distribution it
    /// describes (`of`), is outside the field's plausible range.
    pub(crate) fn judge(&self, sink: &mut Sink<'_>, x: f64, of: plausible::Of) {
        if let Some(message) = plausible::judge(&self.path, x, of) {
            self.at().warn(sink, self.subject.as_deref(), message);
        }
    }

    /// The value as a table; `None` when it is not one (reported).
    pub(crate) fn table(&self, sink: &mut Sink<'_>) -> Option<Table<'a, 'i>> {
        match self.get() {
            DeValue::Table(table) => Some(Table::new(
                self.path.clone(),
                self.subject.clone(),
                self.value.span(),
                self.file,
                table,
            )),
            other => {
                let found = describe(other, sink.text_in(self.file, self.value.span()));
                self.error(sink, format_args!("expected a table, found {found}"));
                None
            }
        }
    }

    /// The elements of an array; `None` when the value is not an array
    /// (reported, with `expected` saying what would be valid).
    pub(crate) fn elements(
        &self,
        sink: &mut Sink<'_>,
        expected: &str,
    ) -> Option<Vec<Item<'a, 'i>>> {
        match self.get() {
            DeValue::Array(values) => Some(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, value)| self.element(i, value))
                    .collect(),
            ),
            other => {
                let found = describe(other, sink.text_in(self.file, self.value.span()));
                self.error(sink, format_args!("expected {expected}, found {found}"));
                None
            }
        }
    }

    /// The elements of an array of tables, `None` for those that are not
    /// tables; empty when the value is not an array. Problems are reported.
    fn tables(&self, sink: &mut Sink<'_>) -> Vec<Option<Table<'a, 'i>>> {
        let DeValue::Array(values) = self.get() else {
            let message = format!(
                "expected an array of tables `[[{}]]`, found {}",
                self.path,
                self.get().type_str()
            );
            self.error(sink, message);
            return Vec::new();
        };
        values
            .iter()
            .enumerate()
            .map(|(i, value)| self.element(i, value).table(sink))
            .collect()
    }

    fn element(&self, index: usize, value: &'a Value<'i>) -> Item<'a, 'i> {
        Item {
            value,
            key_span: value.span(),
            path: format!("{}[{index}]", self.path),
            subject: self.subject.clone(),
            file: self.file,
        }
    }
}

/// A place in a file and the dotted path of the field there; kept by a
/// section that checks one key against another after reading both.
#[derive(Clone, Debug)]
pub(crate) struct At {
    pub(crate) file: FileId,
    pub(crate) span: Span,
    pub(crate) field: String,
}

impl At {
    /// Reports a problem here, prefixed with `subject` when there is one.
    pub(crate) fn error(&self, sink: &mut Sink<'_>, subject: Option<&str>, message: impl Display) {
        let (span, field) = (self.span.clone(), self.field.clone());
        sink.error_about(self.file, span, field, subject, message.to_string());
    }

    /// Reports an implausible value here, prefixed with `subject` when
    /// there is one.
    pub(crate) fn warn(&self, sink: &mut Sink<'_>, subject: Option<&str>, message: impl Display) {
        let (span, field) = (self.span.clone(), self.field.clone());
        sink.warn_about(self.file, span, field, subject, message.to_string());
    }
}

/// The value of a number, written as a float or an integer.
fn number(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Float(f) => f.as_str().parse().ok(),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|i| i as f64),
        _ => None,
    }
}

/// What a valid value of one key looks like, and how to read it.
pub(crate) trait Kind {
    /// The value the model gets.
    type Out;
    /// A valid value, for messages: "a positive number".
    fn expected(&self) -> String;
    /// Reads a value; `raw` is its source text. The error is the whole
    /// message, "expected a positive number, found -2".
    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<Self::Out, String>;
}

fn mismatch(kind: &impl Kind, found: impl Display) -> String {
    format!("expected {}, found {found}", kind.expected())
}

/// How a rejected value is named after "found": a TOML value by its type
/// ("found string"), a CSV cell by its text ("found `twelve`"). `raw` is the
/// value's source text: a TOML string's starts with a quote, a cell's never
/// does (the span of a quoted cell is its content).
pub(crate) fn describe(value: &DeValue<'_>, raw: &str) -> String {
    match value {
        DeValue::String(_) if !raw.is_empty() && !raw.starts_with(['"', '\'']) => {
            format!("`{raw}`")
        }
        other => other.type_str().to_owned(),
    }
}

/// A finite number within bounds, written as a float or an integer [any unit].
pub(crate) struct Number {
    lo: Bound<f64>,
    hi: Bound<f64>,
}

impl Number {
    /// Greater than zero.
    pub(crate) const POSITIVE: Number = Number::new(Bound::Excluded(0.0), Bound::Unbounded);
    /// Zero or more.
    pub(crate) const NON_NEGATIVE: Number = Number::new(Bound::Included(0.0), Bound::Unbounded);
    /// Any finite number, such as a coordinate.
    pub(crate) const ANY: Number = Number::new(Bound::Unbounded, Bound::Unbounded);

    /// Between `lo` and `hi`.
    pub(crate) const fn new(lo: Bound<f64>, hi: Bound<f64>) -> Self {
        Number { lo, hi }
    }

    /// The same range with its ends included, for limits such as the
    /// truncation points of a distribution.
    pub(crate) fn closed(&self) -> Number {
        let close = |b: Bound<f64>| match b {
            Bound::Excluded(x) => Bound::Included(x),
            other => other,
        };
        Number::new(close(self.lo), close(self.hi))
    }

    /// The same range cut at `max` (included) from above.
    pub(crate) fn at_most(&self, max: f64) -> Number {
        if self.upper() <= max {
            return Number::new(self.lo, self.hi);
        }
        Number::new(self.lo, Bound::Included(max))
    }

    /// The lower end, or -∞.
    pub(crate) fn lower(&self) -> f64 {
        match self.lo {
            Bound::Included(x) | Bound::Excluded(x) => x,
            Bound::Unbounded => f64::NEG_INFINITY,
        }
    }

    /// The upper end, or +∞.
    pub(crate) fn upper(&self) -> f64 {
        match self.hi {
            Bound::Included(x) | Bound::Excluded(x) => x,
            Bound::Unbounded => f64::INFINITY,
        }
    }

    /// The range in interval notation: "(0, 1]", "[0, inf)".
    pub(crate) fn interval(&self) -> String {
        let lo = match self.lo {
            Bound::Included(lo) => format!("[{lo}"),
            Bound::Excluded(lo) => format!("({lo}"),
            Bound::Unbounded => "(-inf".into(),
        };
        let hi = match self.hi {
            Bound::Included(hi) => format!("{hi}]"),
            Bound::Excluded(hi) => format!("{hi})"),
            Bound::Unbounded => "inf)".into(),
        };
        format!("{lo}, {hi}")
    }

    fn contains(&self, x: f64) -> bool {
        let above = match self.lo {
            Bound::Included(lo) => x >= lo,
            Bound::Excluded(lo) => x > lo,
            Bound::Unbounded => true,
        };
        let below = match self.hi {
            Bound::Included(hi) => x <= hi,
            Bound::Excluded(hi) => x < hi,
            Bound::Unbounded => true,
        };
        x.is_finite() && above && below
    }
}

impl Kind for Number {
    type Out = f64;

    fn expected(&self) -> String {
        match (self.lo, self.hi) {
            (Bound::Excluded(0.0), Bound::Unbounded) => "a positive number".into(),
            (Bound::Included(0.0), Bound::Unbounded) => "a non-negative number".into(),
            (Bound::Unbounded, Bound::Unbounded) => "a number".into(),
            _ => format!("a number in {}", self.interval()),
        }
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<f64, String> {
        let x = match value {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            other => return Err(mismatch(self, describe(other, raw))),
        };
        match x {
            Some(x) if self.contains(x) && x.abs() > MAX_MAGNITUDE => {
                Err(format!("{} ({PAST_MAGNITUDE})", mismatch(self, raw)))
            }
            Some(x) if self.contains(x) => Ok(x),
            _ => Err(mismatch(self, raw)),
        }
    }
}

/// The largest magnitude any number in a scenario may have, whatever its
/// key: a safety net under the keys' own bounds (watts, kWh, yuan and
/// metres of a district all stay far below it), so that no product or sum
/// of inputs reaches infinity.
pub(crate) const MAX_MAGNITUDE: f64 = 1e15;
/// Why [`MAX_MAGNITUDE`] holds, in its error.
pub(crate) const PAST_MAGNITUDE: &str =
    "no quantity in the model comes near 1e15; past it sums and products overflow";

/// An unsigned integer type the schema reads.
pub(crate) trait Unsigned: Copy + Display + PartialOrd + TryFrom<i64> + Into<u64> {
    /// Largest value of the type.
    const MAX: Self;
}

impl Unsigned for u32 {
    const MAX: Self = u32::MAX;
}

impl Unsigned for u64 {
    const MAX: Self = u64::MAX;
}

/// A whole number in `min..=max`, written as a TOML integer.
pub(crate) struct Integer<T> {
    min: T,
    max: T,
}

impl<T: Unsigned> Integer<T> {
    /// At least `min`.
    pub(crate) const fn at_least(min: T) -> Self {
        Integer { min, max: T::MAX }
    }

    /// In `min..=max`.
    pub(crate) const fn between(min: T, max: T) -> Self {
        Integer { min, max }
    }
}

impl<T: Unsigned> Kind for Integer<T> {
    type Out = T;

    fn expected(&self) -> String {
        let (min, max) = (self.min.into(), self.max.into());
        match (min, max == T::MAX.into()) {
            (0, true) => "a non-negative integer".into(),
            (1, true) => "a positive integer".into(),
            (_, true) => format!("an integer of at least {min}"),
            (_, false) => format!("an integer from {min} to {max}"),
        }
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<T, String> {
        let DeValue::Integer(i) = value else {
            return Err(mismatch(self, describe(value, raw)));
        };
        let parsed = i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .and_then(|i| T::try_from(i).ok());
        match parsed {
            Some(n) if self.min <= n && n <= self.max => Ok(n),
            Some(_) => Err(mismatch(self, raw)),
            None if raw.starts_with('-') => Err(mismatch(self, raw)),
            None => Err(format!(
                "expected {} no larger than {}, found {raw}",
                self.expected(),
                T::MAX
            )),
        }
    }
}

/// A non-empty string, such as a name.
pub(crate) struct Text;

impl Kind for Text {
    type Out = String;

    fn expected(&self) -> String {
        "a non-empty string".into()
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<String, String> {
        match value {
            DeValue::String(s) if s.trim().is_empty() => Err(mismatch(self, "an empty string")),
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(mismatch(self, describe(other, raw))),
        }
    }
}

/// `true` or `false`.
pub(crate) struct Bool;

impl Kind for Bool {
    type Out = bool;

    fn expected(&self) -> String {
        "`true` or `false`".into()
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<bool, String> {
        match value {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(mismatch(self, describe(other, raw))),
        }
    }
}

/// One of a fixed set of names, such as a `model`.
pub(crate) struct Choice(pub(crate) &'static [&'static str]);

impl Kind for Choice {
    type Out = &'static str;

    fn expected(&self) -> String {
        one_of(self.0)
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<&'static str, String> {
        let DeValue::String(s) = value else {
            return Err(mismatch(self, describe(value, raw)));
        };
        match self.0.iter().find(|choice| **choice == s.as_ref()) {
            Some(choice) => Ok(choice),
            None => Err(format!(
                "{}{}",
                mismatch(self, format_args!("`{s}`")),
                did_you_mean(s, self.0)
            )),
        }
    }
}

/// Most names a message lists; a district has hundreds of sites.
const MAX_LISTED: usize = 12;

/// The name of something defined elsewhere in the scenario, such as a
/// `[[transformer]]` a site refers to: its index among `names`.
pub(crate) struct Reference<'n> {
    /// What is named, for messages: "transformer".
    pub(crate) what: &'static str,
    /// Where the names are defined, for messages: "`[[transformer]]`".
    pub(crate) defined_in: &'static str,
    /// Added to the message when there are no names at all: how else to
    /// say it, or "".
    pub(crate) hint: &'static str,
    /// The valid names, in their order of definition.
    pub(crate) names: &'n [&'n str],
}

impl Reference<'_> {
    /// The index of `name`, or the whole message: "unknown group `x`,
    /// expected one of `a`, `b`; did you mean `a`?".
    pub(crate) fn find(&self, name: &str) -> Result<usize, String> {
        if let Some(index) = self.names.iter().position(|n| *n == name) {
            return Ok(index);
        }
        let what = self.what;
        if self.names.is_empty() {
            return Err(format!(
                "unknown {what} `{name}`: the scenario defines no {}{}",
                self.defined_in, self.hint
            ));
        }
        let expected = if self.names.len() > MAX_LISTED {
            format!("the name of one of the {} {what}s", self.names.len())
        } else {
            one_of(self.names)
        };
        Err(format!(
            "unknown {what} `{name}`, expected {expected}{}",
            did_you_mean(name, self.names)
        ))
    }
}

impl Kind for Reference<'_> {
    type Out = usize;

    fn expected(&self) -> String {
        format!("the name of a {}", self.defined_in)
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<usize, String> {
        match value {
            DeValue::String(s) => self.find(s),
            other => Err(mismatch(self, describe(other, raw))),
        }
    }
}

/// "one of `a`, `b`, `c`" (or "`a`" alone).
pub(crate) fn one_of(names: &[&str]) -> String {
    let list = List(names);
    if names.len() == 1 {
        list.to_string()
    } else {
        format!("one of {list}")
    }
}

struct List<'n>(&'n [&'n str]);

impl Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }
}

/// "; did you mean `batteries`?" when `typo` is a likely misspelling of one
/// of `names`, else "".
///
/// Likely means a few edits away (a third of the name's length), or the same
/// key with another unit or without its suffix (`mean_minutes` for
/// `mean_hours`, `slots` for `slots_per_cabinet`).
pub(crate) fn did_you_mean(typo: &str, names: &[&str]) -> String {
    let typo = typo.to_lowercase();
    let stem = |key: &str| {
        key.rsplit_once('_')
            .map_or(key.len(), |(stem, _)| stem.len())
    };
    names
        .iter()
        .filter_map(|name| {
            let distance = edit_distance(&typo, name);
            let close = distance <= (name.chars().count() / 3).max(1);
            let truncated = typo.len() >= 3
                && name.starts_with(typo.as_str())
                && name[typo.len()..].starts_with('_');
            let other_unit = typo.contains('_')
                && name.contains('_')
                && typo[..stem(&typo)] == name[..stem(name)];
            (close || truncated || other_unit).then_some((distance, *name))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// Edit distance between `a` and `b` in chars, counting an insertion, a
/// deletion, a substitution or a swap of neighbours as one edit (optimal
/// string alignment).
///
/// Hand-written rather than a dependency: it runs only on unknown keys, over
/// a handful of short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: distance between the first i chars of a and the first j of b.
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `value`, the text of a TOML value, with `kind`.
    fn read<K: Kind>(kind: &K, value: &str) -> Result<K::Out, String> {
        let source = format!("x = {value}");
        let document = DeTable::parse(&source).unwrap();
        let value = document.get_ref().get("x").unwrap();
        kind.read(value.get_ref(), &source[value.span()])
    }

    #[test]
    fn numbers_accept_integers_and_check_bounds() {
        assert_eq!(read(&Number::POSITIVE, "1000"), Ok(1000.0));
        assert_eq!(read(&Number::POSITIVE, "0x10"), Ok(16.0));
        assert_eq!(read(&Number::POSITIVE, "2.5e-1"), Ok(0.25));
        assert_eq!(
            read(&Number::POSITIVE, "\"2\""),
            Err("expected a positive number, found string".into())
        );
        for bad in ["0", "-1.5", "inf", "nan", "1e999"] {
            assert_eq!(
                read(&Number::POSITIVE, bad),
                Err(format!("expected a positive number, found {bad}"))
            );
        }
        let unit = Number::new(Bound::Excluded(0.0), Bound::Included(1.0));
        assert_eq!(unit.expected(), "a number in (0, 1]");
        assert_eq!(read(&unit, "1"), Ok(1.0));
        assert!(read(&unit, "1.01").is_err());
    }

    #[test]
    fn integers_reject_floats_negatives_and_overflow() {
        let count = Integer::<u32>::at_least(1);
        assert_eq!(count.expected(), "a positive integer");
        assert_eq!(read(&count, "12"), Ok(12));
        assert_eq!(
            read(&count, "12.0"),
            Err("expected a positive integer, found float".into())
        );
        assert_eq!(
            read(&count, "0"),
            Err("expected a positive integer, found 0".into())
        );
        assert_eq!(
            read(&count, "-3"),
            Err("expected a positive integer, found -3".into())
        );
        assert_eq!(
            read(&count, "5_000_000_000"),
            Err(
                "expected a positive integer no larger than 4294967295, found 5_000_000_000".into()
            )
        );
        assert_eq!(
            Integer::<u64>::at_least(0).expected(),
            "a non-negative integer"
        );
        let steps = Integer::between(1_u32, 16);
        assert_eq!(steps.expected(), "an integer from 1 to 16");
        assert!(read(&steps, "17").is_err());
    }

    #[test]
    fn choices_list_the_valid_names_and_suggest_one() {
        let models = Choice(&["exponential", "deterministic", "cc_cv"]);
        assert_eq!(read(&models, "\"cc_cv\""), Ok("cc_cv"));
        assert_eq!(
            read(&models, "\"cc-cv\""),
            Err(
                "expected one of `exponential`, `deterministic`, `cc_cv`, found `cc-cv`; \
                 did you mean `cc_cv`?"
                    .into()
            )
        );
        assert_eq!(
            read(&models, "\"linear\""),
            Err("expected one of `exponential`, `deterministic`, `cc_cv`, found `linear`".into())
        );
    }

    #[test]
    fn text_must_not_be_blank() {
        assert_eq!(read(&Text, "\"美吉鑫小区\""), Ok("美吉鑫小区".to_owned()));
        assert_eq!(
            read(&Text, "\" \""),
            Err("expected a non-empty string, found an empty string".into())
        );
        assert_eq!(
            read(&Text, "1"),
            Err("expected a non-empty string, found integer".into())
        );
    }

    #[test]
    fn typos_get_a_suggestion_only_when_close() {
        let keys = ["name", "cabinets", "slots_per_cabinet", "batteries"];
        assert_eq!(
            did_you_mean("batteris", &keys),
            "; did you mean `batteries`?"
        );
        assert_eq!(
            did_you_mean("Batteries", &keys),
            "; did you mean `batteries`?"
        );
        assert_eq!(
            did_you_mean("slot_per_cabinet", &keys),
            "; did you mean `slots_per_cabinet`?"
        );
        assert_eq!(
            did_you_mean("slots", &keys),
            "; did you mean `slots_per_cabinet`?"
        );
        assert_eq!(did_you_mean("slo", &keys), "");
        assert_eq!(did_you_mean("nmae", &keys), "; did you mean `name`?");
        let keys = ["model", "mean_hours"];
        assert_eq!(
            did_you_mean("mean_minutes", &keys),
            "; did you mean `mean_hours`?"
        );
        assert_eq!(did_you_mean("mean", &keys), "; did you mean `mean_hours`?");
        assert_eq!(did_you_mean("hours", &keys), "");
        assert_eq!(did_you_mean("colour", &keys), "");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("美吉", "美"), 1);
        assert_eq!(edit_distance("cabinets", "cabients"), 1);
    }
}

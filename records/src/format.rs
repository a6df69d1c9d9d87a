//! The swap-record format: its columns (English or Chinese headers) and
//! how one cell is read.

use std::fmt;

/// A column of a swap-record export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// `time` / `换电时间`: `YYYY-MM-DD HH:MM[:SS]`, local time.
    Time,
    /// `site` / `站点`: the site's name, as in the scenario.
    Site,
    /// `cabinet_id` / `柜机编号`.
    CabinetId,
    /// `user_id` / `用户ID`: an anonymised subscriber.
    UserId,
    /// `battery_in` / `换入电池编号` (optional).
    BatteryIn,
    /// `soc_in` / `换入SOC`: the returned battery's charge, 0–100 or 0–1.
    SocIn,
    /// `battery_out` / `换出电池编号` (optional).
    BatteryOut,
    /// `soc_out` / `换出SOC` (optional): the charge of the battery handed out.
    SocOut,
    /// `result` / `结果` (optional): `成功`/`success`, `无电池`/`no_battery`.
    Result,
}

impl Column {
    /// Every column, in the order of the format's table.
    pub const ALL: [Column; 9] = [
        Column::Time,
        Column::Site,
        Column::CabinetId,
        Column::UserId,
        Column::BatteryIn,
        Column::SocIn,
        Column::BatteryOut,
        Column::SocOut,
        Column::Result,
    ];

    /// The English header.
    pub fn en(self) -> &'static str {
        match self {
            Column::Time => "time",
            Column::Site => "site",
            Column::CabinetId => "cabinet_id",
            Column::UserId => "user_id",
            Column::BatteryIn => "battery_in",
            Column::SocIn => "soc_in",
            Column::BatteryOut => "battery_out",
            Column::SocOut => "soc_out",
            Column::Result => "result",
        }
    }

    /// The Chinese header.
    pub fn zh(self) -> &'static str {
        match self {
            Column::Time => "换电时间",
            Column::Site => "站点",
            Column::CabinetId => "柜机编号",
            Column::UserId => "用户ID",
            Column::BatteryIn => "换入电池编号",
            Column::SocIn => "换入SOC",
            Column::BatteryOut => "换出电池编号",
            Column::SocOut => "换出SOC",
            Column::Result => "结果",
        }
    }

    /// Whether every export must have the column.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Time | Column::Site | Column::CabinetId | Column::UserId | Column::SocIn
        )
    }

    /// The column a header names: English (any case) or Chinese, trimmed;
    /// `用户id` and `SOC` in any case too.
    pub fn from_header(header: &str) -> Option<Column> {
        let h = header.trim().trim_start_matches('\u{feff}').trim();
        let lower = h.to_lowercase();
        Column::ALL
            .into_iter()
            .find(|c| lower == c.en() || lower == c.zh().to_lowercase())
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.en())
    }
}

/// A moment of local time, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    /// Days since 1970-01-01.
    pub day: i32,
    /// Seconds since midnight \[s\].
    pub second: u32,
}

impl LocalTime {
    /// Hour of the day, 0–23.
    pub fn hour(self) -> usize {
        (self.second / 3600) as usize
    }

    /// Whether the day is a Saturday or a Sunday.
    pub fn is_weekend(self) -> bool {
        weekday(self.day) >= 5
    }
}

/// Day of the week of `day` (days since 1970-01-01): 0 = Monday … 6 = Sunday.
pub fn weekday(day: i32) -> u32 {
    // 1970-01-01 was a Thursday (3).
    (day + 3).rem_euclid(7) as u32
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of `day` (days since 1970-01-01): `(year, month, day)`.
pub fn civil_from_days(day: i32) -> (i32, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// `2024-03-25`.
pub fn date_text(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days from 1899-12-30 (Excel's day 0) to 1970-01-01.
const EXCEL_EPOCH_OFFSET: f64 = 25_569.0;

/// A time cell: `YYYY-MM-DD HH:MM[:SS]` (also `/` between the date's
/// parts, a `T` between date and time, and one- or two-digit month, day
/// and hour), or an Excel serial date-time (as a workbook stores one).
pub fn parse_time(text: &str) -> Result<LocalTime, &'static str> {
    const EXPECTED: &str = "expected a local time `YYYY-MM-DD HH:MM[:SS]`";
    let text = text.trim();
    if text.is_empty() {
        return Err("empty: expected a local time `YYYY-MM-DD HH:MM[:SS]`");
    }
    if let Ok(serial) = text.parse::<f64>() {
        return excel_serial(serial).ok_or(EXPECTED);
    }
    let (date, time) = text
        .split_once([' ', 'T'])
        .map(|(d, t)| (d, t.trim()))
        .ok_or(EXPECTED)?;
    let mut parts = date.split(['-', '/']);
    let (Some(y), Some(mo), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(EXPECTED);
    };
    let number = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(y), Some(mo), Some(d)) = (number(y, 4), number(mo, 2), number(d, 2)) else {
        return Err(EXPECTED);
    };
    if y < 1970 || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y as i32, mo) {
        return Err("not a calendar date: expected `YYYY-MM-DD` from 1970");
    }
    let mut hms = time.split(':');
    let (Some(h), Some(mi)) = (hms.next(), hms.next()) else {
        return Err(EXPECTED);
    };
    let s = hms.next();
    if hms.next().is_some() {
        return Err(EXPECTED);
    }
    // Seconds may carry a fraction (`05.250`): it is dropped.
    let s = s.map(|s| s.split('.').next().unwrap_or(s));
    let (Some(h), Some(mi)) = (number(h, 2), number(mi, 2)) else {
        return Err(EXPECTED);
    };
    let s = match s {
        Some(s) => number(s, 2).ok_or(EXPECTED)?,
        None => 0,
    };
    if h > 23 || mi > 59 || s > 59 {
        return Err("not a time of day: expected hours 0–23, minutes and seconds 0–59");
    }
    Ok(LocalTime {
        day: days_from_civil(y as i32, mo, d),
        second: h * 3600 + mi * 60 + s,
    })
}

/// An Excel serial date-time (days since 1899-12-30, the fraction the time).
fn excel_serial(serial: f64) -> Option<LocalTime> {
    // From 1970 to 2200.
    if !(EXCEL_EPOCH_OFFSET..=EXCEL_EPOCH_OFFSET + 84_000.0).contains(&serial) {
        return None;
    }
    let whole = serial.floor();
    let second = ((serial - whole) * 86_400.0).round() as u32;
    let day = (whole - EXCEL_EPOCH_OFFSET) as i32;
    Some(if second >= 86_400 {
        LocalTime {
            day: day + 1,
            second: 0,
        }
    } else {
        LocalTime { day, second }
    })
}

/// Days in a month of a year.
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A charge cell as a share 0–1: `35`, `35%` and `0.35` are all 35 %. A
/// number above 1 (or with `%`) is a percentage; 1 or less is a share,
/// so `1` is a full battery, not 1 %.
pub fn parse_soc(text: &str) -> Result<f64, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty: expected a charge 0–100 (%) or 0–1");
    }
    let (number, percent) = match text.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (text, false),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| "expected a charge 0–100 (%) or 0–1")?;
    if !value.is_finite() || value < 0.0 {
        return Err("expected a charge 0–100 (%) or 0–1, not negative");
    }
    let share = if percent || value > 1.0 {
        value / 100.0
    } else {
        value
    };
    if share > 1.0 {
        return Err("a charge above 100 %: expected 0–100 (%) or 0–1");
    }
    Ok(share)
}

/// A result cell: `true` for a swap, `false` for an attempt that found no
/// battery. Empty counts as a swap.
pub fn parse_result(text: &str) -> Result<bool, &'static str> {
    match text.trim().to_lowercase().as_str() {
        "" | "成功" | "success" | "ok" => Ok(true),
        "无电池" | "no_battery" => Ok(false),
        _ => Err("expected `成功`/`success` or `无电池`/`no_battery`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_their_forms() {
        let t = parse_time("2024-03-25 07:41").unwrap();
        assert_eq!(date_text(t.day), "2024-03-25");
        assert_eq!(t.second, 7 * 3600 + 41 * 60);
        assert_eq!(weekday(t.day), 0, "2024-03-25 is a Monday");
        assert!(!t.is_weekend());
        assert_eq!(parse_time("2024/3/30 7:41:09").unwrap().second, 27_669);
        assert!(parse_time("2024-03-30 07:41:09").unwrap().is_weekend());
        // Excel's serial for 2024-03-25 12:00.
        let serial = parse_time("45376.5").unwrap();
        assert_eq!(
            (date_text(serial.day), serial.second),
            ("2024-03-25".into(), 43_200)
        );
        for bad in [
            "",
            "2024-03-25",
            "2024-02-30 10:00",
            "2024-03-25 24:00",
            "yesterday",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        for day in [-1000, 0, 19_807, 60_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn charges_read_as_shares() {
        assert_eq!(parse_soc("35").unwrap(), 0.35);
        assert_eq!(parse_soc("35%").unwrap(), 0.35);
        assert_eq!(parse_soc("0.35").unwrap(), 0.35);
        assert_eq!(parse_soc("1").unwrap(), 1.0);
        assert_eq!(parse_soc("100").unwrap(), 1.0);
        for bad in ["", "-3", "101", "abc", "NaN"] {
            assert!(parse_soc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_read_in_either_language() {
        assert_eq!(Column::from_header("换入SOC"), Some(Column::SocIn));
        assert_eq!(Column::from_header(" User_ID "), Some(Column::UserId));
        assert_eq!(Column::from_header("\u{feff}time"), Some(Column::Time));
        assert_eq!(Column::from_header("用户id"), Some(Column::UserId));
        assert_eq!(Column::from_header("remarks"), None);
        assert_eq!(parse_result("无电池"), Ok(false));
        assert_eq!(parse_result("Success"), Ok(true));
        assert!(parse_result("maybe").is_err());
    }
}

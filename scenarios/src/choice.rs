//! `[choice]`: how a rider picks a cabinet.

use sim_core::{Choice, ChoicePolicy};

use crate::diag::Sink;
use crate::walk::{self, Number, Table};

/// Values of `policy`.
const POLICIES: &[&str] = &["home", "nearest", "app_informed"];

/// Reads `[choice]`, or gives the defaults when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<Choice> {
    let defaults = Choice::default();
    let Some(mut t) = t else {
        return Some(defaults);
    };
    let policy = t
        .defaulted(sink, "policy", &walk::Choice(POLICIES), "app_informed")
        .map(|policy| match policy {
            "home" => ChoicePolicy::Home,
            "nearest" => ChoicePolicy::Nearest,
            _ => ChoicePolicy::AppInformed,
        });
    let max_detour_m = t.defaulted(
        sink,
        "max_detour_m",
        &Number::NON_NEGATIVE,
        defaults.max_detour_m,
    );
    t.finish(sink);
    Some(Choice {
        policy: policy?,
        max_detour_m: max_detour_m?,
    })
}

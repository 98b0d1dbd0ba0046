//! Custom ticket fields (seed 002): admins define them ([`definitions`]); staff set a ticket's
//! values, each checked against its field's kind ([`values`]). Visibility decides who sees and
//! sets a field — customers the public ones, agents public and agents-only, admins all — and
//! which fields `#Custom_Fields#` lists in mail (public only; `#CF_<id>#` names one field on
//! purpose, whatever its visibility).

pub mod definitions;
pub mod events;
pub mod values;

use protocol::FieldVisibility;

use crate::tickets::access::Scope;

/// The most private visibility a viewer with `scope` may see.
pub fn visible_to(scope: &Scope) -> FieldVisibility {
    match scope {
        Scope::All => FieldVisibility::Admins,
        Scope::Agent { .. } => FieldVisibility::Agents,
        Scope::Customer { .. } => FieldVisibility::Public,
    }
}

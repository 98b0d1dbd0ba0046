//! Mail folders: finding a folder named in a URL or a move (id or well-known name), listing
//! folders (`GET .../mailFolders`, paged, `$filter=displayName eq '…'`) and a folder's JSON.

use actix_web::HttpResponse;
use serde_json::{Value, json};

use super::DEFAULT_PAGE_SIZE;
use super::responses::{GraphError, ITEM_NOT_FOUND, error, json_reply};
use super::routing::query_param;
use super::state::{Folder, Mailbox, State};

/// Well-known folder names Graph has that the stand-in does not model.
const OTHER_WELL_KNOWN: &[&str] = &[
    "clutter",
    "conflicts",
    "localfailures",
    "msgfolderroot",
    "recoverableitemsdeletions",
    "scheduled",
    "searchfolders",
    "serverfailures",
    "syncissues",
];

impl Mailbox {
    pub(super) fn folder_json(&self, f: &Folder) -> Value {
        let in_folder = || self.messages.iter().filter(|m| m.folder_id == f.id);
        json!({
            "id": f.id,
            "displayName": f.display_name,
            "parentFolderId": self.root_id(),
            "childFolderCount": 0,
            "unreadItemCount": in_folder().filter(|m| !m.is_read).count(),
            "totalItemCount": in_folder().count(),
            "isHidden": false,
        })
    }

    /// The id of the (unlisted) root folder the top-level folders hang under.
    fn root_id(&self) -> String {
        format!("AAMkAGRvb3Q{}AAA=", self.user_id.replace('-', ""))
    }
}

impl State {
    /// A folder named in a URL or a move: its id or a well-known name, as Graph accepts (not a
    /// display name).
    pub(super) fn folder_for_request(&self, mailbox: &str, key: &str) -> Result<String, GraphError> {
        let mb = &self.mailboxes[mailbox];
        if let Some(f) = mb
            .folders
            .iter()
            .find(|f| f.id == key || f.well_known.is_some_and(|w| w.eq_ignore_ascii_case(key)))
        {
            return Ok(f.id.clone());
        }
        if OTHER_WELL_KNOWN.iter().any(|w| w.eq_ignore_ascii_case(key)) {
            return Err(GraphError::new(
                501,
                "NotImplemented",
                &format!("The Graph stand-in does not model the well-known folder '{key}'."),
            ));
        }
        if key.starts_with("AAMk") {
            Err(GraphError::new(404, "ErrorItemNotFound", ITEM_NOT_FOUND))
        } else {
            Err(GraphError::new(400, "ErrorInvalidIdMalformed", "Id is malformed."))
        }
    }

    pub(super) fn list_folders(&self, mailbox: &str, link_prefix: &str, query: &[(String, String)]) -> HttpResponse {
        let mb = &self.mailboxes[mailbox];
        let wanted_name = match query_param(query, "$filter") {
            None => None,
            Some(filter) => match parse_display_name_filter(filter) {
                Some(name) => Some(name),
                None => {
                    return error(
                        501,
                        "NotImplemented",
                        "The Graph stand-in only filters mailFolders by displayName eq '…'.",
                    );
                }
            },
        };
        let top = query_param(query, "$top")
            .and_then(|t| t.parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let skip: usize = query_param(query, "$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut matching: Vec<&Folder> = mb
            .folders
            .iter()
            .filter(|f| {
                wanted_name
                    .as_deref()
                    .is_none_or(|n| f.display_name.eq_ignore_ascii_case(n))
            })
            .collect();
        matching.sort_by_key(|f| f.display_name.to_lowercase());
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(top)
            .map(|f| mb.folder_json(f))
            .collect();
        let mut out = json!({
            "@odata.context": format!("{}/$metadata#users('{}')/mailFolders", self.base_url, mb.address),
            "value": page,
        });
        if skip + top < matching.len() {
            let mut next = format!("{link_prefix}/mailFolders?$top={top}&$skip={}", skip + top);
            if let Some(name) = &wanted_name {
                next.push_str(&format!("&$filter=displayName%20eq%20'{}'", name.replace('\'', "''")));
            }
            out["@odata.nextLink"] = Value::String(next);
        }
        json_reply(200, &out)
    }
}

/// `displayName eq 'Name'` (quotes doubled inside), the one mailFolders filter the stand-in knows.
fn parse_display_name_filter(filter: &str) -> Option<String> {
    let rest = filter.trim();
    let (field, rest) = rest.split_once(char::is_whitespace)?;
    if !field.eq_ignore_ascii_case("displayName") {
        return None;
    }
    let (op, value) = rest.trim_start().split_once(char::is_whitespace)?;
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let value = value.trim();
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

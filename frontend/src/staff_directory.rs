//! The people and categories a ticket page names: the staff an agent can assign to, the
//! categories to file under, and the names behind the ids in the ticket's history.
//!
//! Loaded once per ticket page; a failed load leaves the pickers with what the ticket itself
//! says (its own assignee and category), never empty.

use leptos::prelude::*;
use protocol::{Category, User};

use crate::api::{ApiError, Client};

#[derive(Clone, Copy)]
pub struct StaffDirectory {
    users: LocalResource<Result<Vec<User>, ApiError>>,
    categories: LocalResource<Result<Vec<Category>, ApiError>>,
}

impl StaffDirectory {
    pub fn load(client: Client) -> Self {
        Self {
            users: LocalResource::new(move || async move { client.users().await }),
            categories: LocalResource::new(move || async move { client.categories().await }),
        }
    }

    /// Admins and agents, by name (reactive).
    pub fn staff(&self) -> Vec<User> {
        let mut staff: Vec<User> = self.users.with(|u| match u {
            Some(Ok(list)) => list.iter().filter(|u| u.role.is_staff()).cloned().collect(),
            _ => Vec::new(),
        });
        staff.sort_by_key(|u| u.name.to_lowercase());
        staff
    }

    /// All categories, by name (reactive).
    pub fn categories(&self) -> Vec<Category> {
        let mut list = self.categories.with(|c| match c {
            Some(Ok(list)) => list.clone(),
            _ => Vec::new(),
        });
        list.sort_by_key(|c| c.name.to_lowercase());
        list
    }

    /// The user's name, if the directory has loaded and knows them (reactive).
    pub fn user_name(&self, id: i64) -> Option<String> {
        self.users.with(|u| match u {
            Some(Ok(list)) => list.iter().find(|u| u.id == id).map(|u| u.name.clone()),
            _ => None,
        })
    }

    /// The category's name (reactive).
    pub fn category_name(&self, id: i64) -> Option<String> {
        self.categories.with(|c| match c {
            Some(Ok(list)) => list.iter().find(|c| c.id == id).map(|c| c.name.clone()),
            _ => None,
        })
    }

    /// Whether `user` works the category (its `agent_ids`), for ordering the assignee picker.
    pub fn in_category(&self, category_id: i64, user_id: i64) -> bool {
        self.categories.with(|c| match c {
            Some(Ok(list)) => list
                .iter()
                .any(|c| c.id == category_id && c.agent_ids.contains(&user_id)),
            _ => false,
        })
    }
}

//! Helpers for SLA tests: calendars and policies through the admin API, and moving a ticket's
//! clock by editing its row (so no test waits for real minutes to pass).

use chrono::{DateTime, Utc};
use entity::ticket;
use protocol::{
    BusinessCalendar, Holiday, Priority, SaveCalendar, SaveSlaPolicy, SlaPolicy, TicketDetail, WeekHours, WorkInterval,
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};

use crate::TestApp;
use crate::client::ok_json;

pub fn interval(start: &str, end: &str) -> WorkInterval {
    WorkInterval {
        start: start.into(),
        end: end.into(),
    }
}

/// Every minute of every day, in UTC: business minutes are plain minutes.
pub fn around_the_clock(name: &str) -> SaveCalendar {
    let day = || vec![interval("00:00", "24:00")];
    SaveCalendar {
        name: name.into(),
        time_zone: "UTC".into(),
        hours: WeekHours {
            mon: day(),
            tue: day(),
            wed: day(),
            thu: day(),
            fri: day(),
            sat: day(),
            sun: day(),
        },
        holidays: vec![],
    }
}

/// Monday to Friday 09:00–17:00 in `time_zone`.
pub fn office_hours(name: &str, time_zone: &str, holidays: Vec<Holiday>) -> SaveCalendar {
    let day = || vec![interval("09:00", "17:00")];
    SaveCalendar {
        name: name.into(),
        time_zone: time_zone.into(),
        hours: WeekHours {
            mon: day(),
            tue: day(),
            wed: day(),
            thu: day(),
            fri: day(),
            ..Default::default()
        },
        holidays,
    }
}

/// A policy for one priority (or any) with the two targets.
pub fn targets(
    name: &str,
    calendar_id: i64,
    priority: Option<Priority>,
    first_response: Option<i64>,
    resolution: Option<i64>,
) -> SaveSlaPolicy {
    SaveSlaPolicy {
        name: name.into(),
        position: None,
        priority,
        category_id: None,
        company_id: None,
        calendar_id,
        first_response_minutes: first_response,
        resolution_minutes: resolution,
    }
}

impl TestApp {
    pub async fn create_calendar(&self, req: &SaveCalendar) -> BusinessCalendar {
        let resp = self.api.post_json(&self.admin.token, "/admin/calendars", req).await;
        assert_eq!(resp.status(), 201, "creating a calendar");
        ok_json(resp).await
    }

    pub async fn create_policy(&self, req: &SaveSlaPolicy) -> SlaPolicy {
        let resp = self.api.post_json(&self.admin.token, "/admin/sla-policies", req).await;
        assert_eq!(resp.status(), 201, "creating an SLA policy");
        ok_json(resp).await
    }

    /// The ticket's row as stored.
    pub async fn ticket_row(&self, id: i64) -> ticket::Model {
        ticket::Entity::find_by_id(id)
            .one(self.ctx.db())
            .await
            .expect("reading the ticket row")
            .expect("the ticket exists")
    }

    /// Edits the ticket's row directly: how a test moves a clock.
    pub async fn edit_ticket_row(&self, id: i64, edit: impl FnOnce(&mut ticket::ActiveModel)) {
        let mut row = self.ticket_row(id).await.into_active_model();
        edit(&mut row);
        row.update(self.ctx.db()).await.expect("updating the ticket row");
    }

    /// PATCH `/tickets/{id}` with `fields`, at the ticket's current version.
    pub async fn patch_ticket(&self, token: &str, id: i64, mut fields: serde_json::Value) -> reqwest::Response {
        let current = self.api.ticket(&self.admin.token, id).await;
        fields["version"] = current.ticket.version.into();
        self.api.patch_json(token, &format!("/tickets/{id}"), &fields).await
    }

    pub async fn patch_ticket_ok(&self, token: &str, id: i64, fields: serde_json::Value) -> TicketDetail {
        ok_json(self.patch_ticket(token, id, fields).await).await
    }
}

/// A UTC instant from `YYYY-MM-DDTHH:MM:SSZ`.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("an RFC 3339 instant")
        .with_timezone(&Utc)
}

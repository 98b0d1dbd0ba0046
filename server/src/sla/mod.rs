//! Service levels: business calendars and the clock maths on them, SLA policies, due times on
//! tickets (with pauses while waiting on the customer) and the overdue checker.

pub mod business_time;
pub mod calendar;
pub mod calendars;
pub mod due;
pub mod overdue;
pub mod policies;
pub mod scheduler;

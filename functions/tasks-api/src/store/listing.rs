//! The board's list query: one page of tasks, newest first, keyset-paginated on the time-ordered
//! id, so a task added while someone pages sorts before their cursor and no page repeats or skips.

use sqlx::{MySql, MySqlPool, QueryBuilder};
use taskboard_domain::TaskId;
use taskboard_domain::events::TaskSnapshot;

use super::error::StoreError;
use super::rows::{JOIN_PEOPLE, TASK_COLUMNS, TaskRow};
use crate::request::{AssigneeFilter, ListFilter};

/// One page of a list, newest first.
pub struct Page {
    pub items: Vec<TaskSnapshot>,
    /// The id of the last item, when there may be more.
    pub next_after: Option<TaskId>,
}

/// Up to `limit` tasks matching `filter`, older than `after`.
pub async fn page(
    pool: &MySqlPool,
    filter: &ListFilter,
    after: Option<TaskId>,
    limit: u32,
) -> Result<Page, StoreError> {
    // The page is chosen from `tasks` alone and only then joined to its people. Written as one
    // flat join, the optimiser may start from the small users table and sort every task to
    // find a page (35 ms instead of 1 ms for 50 of 5,000; docs/performance.md).
    //
    // With a filter, the `(column, id)` index is named: left to itself, MariaDB looks the
    // column up alone and walks back through every newer task of that person or status
    // before it reaches the cursor, so later pages cost more and more. Named, the index is
    // read as a range that starts at the cursor. The person filters are the narrower ones.
    let index = match (filter.assignee, filter.created_by, filter.status) {
        (Some(_), _, _) => " FORCE INDEX (tasks_assignee)",
        (None, Some(_), _) => " FORCE INDEX (tasks_created_by)",
        (None, None, Some(_)) => " FORCE INDEX (tasks_status)",
        (None, None, None) => "",
    };
    let mut q: QueryBuilder<MySql> = QueryBuilder::new(format!(
        "SELECT {TASK_COLUMNS} FROM (SELECT id, title, description, status, assignee_id, due_date, \
         created_by, created_at, updated_at, version FROM tasks{index} WHERE 1 = 1"
    ));
    if let Some(status) = filter.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    match filter.assignee {
        Some(AssigneeFilter::User(id)) => {
            q.push(" AND assignee_id = ").push_bind(id.to_string());
        }
        Some(AssigneeFilter::Nobody) => {
            q.push(" AND assignee_id IS NULL");
        }
        None => {}
    }
    if let Some(creator) = filter.created_by {
        q.push(" AND created_by = ").push_bind(creator.to_string());
    }
    if let Some(after) = after {
        q.push(" AND id < ").push_bind(after.to_string());
    }
    q.push(" ORDER BY id DESC LIMIT ").push_bind(limit + 1);
    q.push(format!(") t {JOIN_PEOPLE} ORDER BY t.id DESC"));
    let rows: Vec<TaskRow> = q.build_query_as().fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(TaskSnapshot::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if more {
        items.last().map(|t| t.id)
    } else {
        None
    };
    Ok(Page { items, next_after })
}

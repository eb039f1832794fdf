//! The board's list query: one page of tasks, newest first, keyset-paginated on the time-ordered
//! id, so a task added while someone pages sorts before their cursor and no page repeats or skips.
//! The viewer's membership is part of the same query; only an empty page costs a second look
//! (to tell "no tasks" from "not your project", which is a 404).

use sqlx::{MySql, MySqlPool, QueryBuilder};
use taskboard_domain::UserId;
use taskboard_domain::events::TaskSnapshot;

use super::access;
use super::error::StoreError;
use super::rows::{JOIN_PEOPLE, TASK_COLUMNS, TaskRow};
use crate::request::{AssigneeFilter, ListQuery};

/// One page of a list, newest first.
pub struct Page {
    pub items: Vec<TaskSnapshot>,
    /// The id of the last item, when there may be more.
    pub next_after: Option<taskboard_domain::TaskId>,
}

const ACTIVE_MEMBER: &str = "SELECT pm.project_id FROM project_members pm JOIN users me \
    ON me.id = pm.user_id AND me.deactivated_at IS NULL WHERE pm.user_id = ";

/// Up to `query.limit` tasks `viewer` may see matching `query`, older than its cursor. `None`
/// when the query names a project the viewer is not an active member of.
pub async fn page(
    pool: &MySqlPool,
    viewer: UserId,
    query: &ListQuery,
) -> Result<Option<Page>, StoreError> {
    let filter = &query.filter;
    // The page is chosen from `tasks` alone and only then joined to its people. Written as one
    // flat join, the optimiser may start from the small users table and sort every task to
    // find a page (35 ms instead of 1 ms for 50 of 5,000; docs/performance.md).
    //
    // The `(…, id)` index is named: left to itself, MariaDB looks the column up alone and walks
    // back through every newer task before it reaches the cursor, so later pages cost more and
    // more. Named, the index is read as a range that starts at the cursor. The person filters
    // are the narrowest; then a project's column; then the whole project.
    let index = match (
        filter.assignee,
        filter.created_by,
        query.project,
        filter.status,
    ) {
        (Some(_), _, _, _) => " FORCE INDEX (tasks_assignee)",
        (None, Some(_), _, _) => " FORCE INDEX (tasks_created_by)",
        (None, None, Some(_), Some(_)) => " FORCE INDEX (tasks_project_status)",
        (None, None, Some(_), None) => " FORCE INDEX (tasks_project)",
        (None, None, None, _) => "",
    };
    let mut q: QueryBuilder<MySql> = QueryBuilder::new(format!(
        "SELECT {TASK_COLUMNS} FROM (SELECT id, project_id, title, description, status, assignee_id, \
         due_date, created_by, created_at, updated_at, version FROM tasks{index} WHERE project_id "
    ));
    match query.project {
        Some(project) => {
            q.push("= ").push_bind(project.to_string());
            q.push(format!(" AND project_id IN ({ACTIVE_MEMBER}"))
                .push_bind(viewer.to_string())
                .push(")");
        }
        None => {
            q.push(format!("IN ({ACTIVE_MEMBER}"))
                .push_bind(viewer.to_string())
                .push(")");
        }
    }
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
    if let Some(after) = query.after {
        q.push(" AND id < ").push_bind(after.to_string());
    }
    q.push(" ORDER BY id DESC LIMIT ")
        .push_bind(query.limit + 1);
    q.push(format!(") t {JOIN_PEOPLE} ORDER BY t.id DESC"));
    let rows: Vec<TaskRow> = q.build_query_as().fetch_all(pool).await?;
    if rows.is_empty()
        && let Some(project) = query.project
        && !access::is_member(pool, project, viewer).await?
    {
        return Ok(None);
    }
    let more = rows.len() > query.limit as usize;
    let items = rows
        .into_iter()
        .take(query.limit as usize)
        .map(TaskSnapshot::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if more {
        items.last().map(|t| t.id)
    } else {
        None
    };
    Ok(Some(Page { items, next_after }))
}

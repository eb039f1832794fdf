use super::*;
use http::{HeaderMap, header};
use serde_json::{Value, json};

fn body(json: Value) -> PatchBody {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_patch_tells_absent_from_null() {
    let patch =
        TaskPatch::parse(body(json!({"description": null, "due_date": "2026-12-01"}))).unwrap();
    assert_eq!(patch.description, Some(None));
    assert!(patch.title.is_none() && patch.status.is_none() && patch.assignee.is_none());
    assert!(matches!(patch.due_date, Some(Some(_))));
}

#[test]
fn a_patch_reports_every_bad_field() {
    let errors = TaskPatch::parse(body(
        json!({"title": " ", "status": "doing", "assignee_id": "x"}),
    ))
    .unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["title", "status", "assignee_id"]);
    assert_eq!(
        TaskPatch::parse(body(json!({}))).unwrap_err()[0].field,
        "body"
    );
    assert_eq!(
        TaskPatch::parse(body(json!({"title": null}))).unwrap_err()[0].field,
        "title"
    );
}

#[test]
fn if_match_takes_strong_tags_stars_and_lists() {
    let with = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, v.parse().unwrap());
        Precondition::from_headers(&h)
    };
    assert_eq!(
        Precondition::from_headers(&HeaderMap::new()),
        Precondition::None
    );
    assert_eq!(with("*"), Precondition::Any);
    assert_eq!(with("\"3\", \"5\""), Precondition::Versions(vec![3, 5]));
    assert_eq!(with("W/\"3\""), Precondition::Never);
    assert_eq!(with("3"), Precondition::Never);
    assert!(with("\"3\"").admits(3) && !with("\"3\"").admits(4));
    assert!(Precondition::None.admits(7) && !Precondition::Never.admits(7));
}

#[test]
fn a_list_query_reports_every_bad_parameter() {
    let me = UserId::new();
    let params = ListParams {
        project: Some("nope".into()),
        status: Some("doing".into()),
        assignee: Some("someone".into()),
        created_by: Some("x".into()),
        limit: Some("0".into()),
        cursor: Some("!!".into()),
    };
    let fields: Vec<_> = ListQuery::parse(params, me)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "project",
            "status",
            "assignee",
            "created_by",
            "limit",
            "cursor"
        ]
    );
}

#[test]
fn a_list_query_reads_me_none_and_a_cursor() {
    let me = UserId::new();
    let last = TaskId::new();
    let params = ListParams {
        assignee: Some("none".into()),
        created_by: Some("me".into()),
        cursor: Some(Cursor::encode(last)),
        ..ListParams::default()
    };
    let query = ListQuery::parse(params, me).unwrap();
    assert!(matches!(
        query.filter.assignee,
        Some(AssigneeFilter::Nobody)
    ));
    assert_eq!(query.filter.created_by, Some(me));
    assert_eq!(query.after, Some(last));
    assert_eq!(query.limit, ListQuery::DEFAULT_LIMIT);
}

#[test]
fn a_new_task_defaults_to_todo_and_needs_its_project() {
    let project = taskboard_domain::ProjectId::new();
    let body: NewTaskBody =
        serde_json::from_value(json!({"title": "Write docs", "project_id": project.to_string()}))
            .unwrap();
    let task = NewTask::parse(body).unwrap();
    assert_eq!(task.project, project);
    assert_eq!(task.status, TaskStatus::Todo);
    assert!(task.description.is_none() && task.assignee.is_none());
    for missing in [
        json!({"title": "x"}),
        json!({"title": "x", "project_id": "../1"}),
    ] {
        let body: NewTaskBody = serde_json::from_value(missing).unwrap();
        assert_eq!(NewTask::parse(body).unwrap_err()[0].field, "project_id");
    }
}

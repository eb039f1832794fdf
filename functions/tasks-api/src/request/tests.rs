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
        Ok(Precondition::None)
    );
    assert_eq!(with("*"), Ok(Precondition::Any));
    assert_eq!(with(" * "), Ok(Precondition::Any));
    assert_eq!(with("\"3\", \"5\""), Ok(Precondition::Versions(vec![3, 5])));
    assert_eq!(
        with("\"3\",W/\"4\" ,\t\"x,y\""),
        Ok(Precondition::Versions(vec![3]))
    );
    // Well-formed, but naming no version of ours: nothing matches (412).
    for never in [
        "W/\"3\"",
        "\"\"",
        "\"03\"",
        "\"+3\"",
        "\"4294967296\"",
        "\"abc\"",
    ] {
        assert_eq!(with(never), Ok(Precondition::Never), "{never}");
    }
    let mut two = HeaderMap::new();
    two.append(header::IF_MATCH, "\"3\"".parse().unwrap());
    two.append(header::IF_MATCH, "\"5\"".parse().unwrap());
    assert_eq!(
        Precondition::from_headers(&two),
        Ok(Precondition::Versions(vec![3, 5]))
    );
    assert!(with("\"3\"").unwrap().admits(3) && !with("\"3\"").unwrap().admits(4));
    assert!(Precondition::None.admits(7) && !Precondition::Never.admits(7));
}

#[test]
fn if_match_that_is_not_a_list_of_entity_tags_is_malformed() {
    let with = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, v.parse().unwrap());
        Precondition::from_headers(&h)
    };
    for bad in [
        "",
        "3",
        "\"3",
        "3\"",
        "\"3\" \"4\"",
        "\"3\",",
        ",\"3\"",
        "*, \"3\"",
        "w/\"3\"",
        "\"a b\"",
        "**",
    ] {
        assert_eq!(with(bad), Err(crate::precondition::Malformed), "{bad:?}");
    }
    let mut h = HeaderMap::new();
    h.insert(
        header::IF_MATCH,
        http::HeaderValue::from_bytes(b"\"\xe9\"").unwrap(),
    );
    assert_eq!(
        Precondition::from_headers(&h),
        Err(crate::precondition::Malformed)
    );
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
fn a_cursor_is_any_22_characters_of_base64url_naming_16_bytes() {
    let last = TaskId::new();
    let cursor = Cursor::encode(last);
    assert_eq!(cursor.len(), 22);
    assert_eq!(Cursor::decode(&cursor), Some(last));
    // The documented shape is exactly what decodes: the last character carries 2 bits.
    for (cursor, ok) in [
        ("AAAAAAAAAAAAAAAAAAAAAA", true),
        ("_____________________w", true),
        ("AAAAAAAAAAAAAAAAAAAAAB", false),
        ("AAAAAAAAAAAAAAAAAAAAA", false),
        ("AAAAAAAAAAAAAAAAAAAAAAA", false),
        ("AAAAAAAAAAAAAAAAAAAA+A", false),
        ("AAAAAAAAAAAAAAAAAAAAAA==", false),
    ] {
        assert_eq!(Cursor::decode(cursor).is_some(), ok, "{cursor}");
    }
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

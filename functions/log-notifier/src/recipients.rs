//! Who hears about a change: the assignee and the creator, and on reassignment also the previous
//! assignee, but never the person who made the change, and each person at most once.

use taskboard_domain::events::{Person, TaskEvent};

pub fn recipients(event: &TaskEvent) -> Vec<&Person> {
    let mut out: Vec<&Person> = Vec::new();
    for recipient in &event.recipients {
        let person = &recipient.person;
        let is_actor = person.id == event.actor.id || person.email == event.actor.email;
        let seen = out
            .iter()
            .any(|p| p.id == person.id || p.email == person.email);
        if !is_actor && !seen {
            out.push(person);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::tests::{event, person};
    use taskboard_domain::events::{DetailType, Recipient, Role};

    fn r(p: &Person, role: Role) -> Recipient {
        Recipient {
            person: p.clone(),
            roles: vec![role],
        }
    }

    #[test]
    fn the_actor_never_hears_about_their_own_change() {
        let (ada, bob) = (person("Ada"), person("Bob"));
        let mut e = event(DetailType::StatusChanged, &ada);
        e.recipients = vec![r(&ada, Role::Creator), r(&bob, Role::Assignee)];
        let names: Vec<_> = recipients(&e).iter().map(|p| p.name.to_string()).collect();
        assert_eq!(names, ["Bob"]);
    }

    #[test]
    fn each_person_at_most_once_and_previous_assignees_included() {
        let (ada, bob, cy) = (person("Ada"), person("Bob"), person("Cy"));
        let mut e = event(DetailType::Assigned, &ada);
        e.recipients = vec![
            r(&bob, Role::Creator),
            r(&cy, Role::Assignee),
            r(&bob, Role::PreviousAssignee),
            r(&ada, Role::PreviousAssignee),
        ];
        let names: Vec<_> = recipients(&e).iter().map(|p| p.name.to_string()).collect();
        assert_eq!(names, ["Bob", "Cy"]);
    }
}

"""People: the participant lifecycle (merge, erase, export), participant search,
learner logins made by coordinators and the sign-in codes they issue. The
models stay where they were (Participant and SignInCode in accounts,
ParticipantEvent in registers); this app owns the behaviour. Which staff may see
or manage a person is decided in `backend.access.policy`."""

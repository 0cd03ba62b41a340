//! PlanningService over tonic: every RPC delegates to the method of the same name on
//! [`Planning`] (see `eventkit_platform::delegate!`).

use super::Planning;
use eventkit_platform::{auth::Principal, delegate};
use eventkit_proto::eventkit::v1::{planning_service_server::PlanningService, *};

delegate! {
    PlanningService => PlanningApi(Planning) for Principal {
    create_project(CreateProjectRequest) -> CreateProjectResponse;
    get_project(GetProjectRequest) -> GetProjectResponse;
    list_projects(ListProjectsRequest) -> ListProjectsResponse;
    create_event(CreateEventRequest) -> CreateEventResponse;
    create_recurring_events(CreateRecurringEventsRequest) -> CreateRecurringEventsResponse;
    get_event(GetEventRequest) -> GetEventResponse;
    update_event(UpdateEventRequest) -> UpdateEventResponse;
    delete_event(DeleteEventRequest) -> DeleteEventResponse;
    restore_event(RestoreEventRequest) -> RestoreEventResponse;
    list_events(ListEventsRequest) -> ListEventsResponse;
    transition_event(TransitionEventRequest) -> TransitionEventResponse;
    add_pull_list_line(AddPullListLineRequest) -> AddPullListLineResponse;
    update_pull_list_line(UpdatePullListLineRequest) -> UpdatePullListLineResponse;
    remove_pull_list_line(RemovePullListLineRequest) -> RemovePullListLineResponse;
    list_pull_list_lines(ListPullListLinesRequest) -> ListPullListLinesResponse;
    create_sub_rent(CreateSubRentRequest) -> CreateSubRentResponse;
    delete_sub_rent(DeleteSubRentRequest) -> DeleteSubRentResponse;
    list_sub_rents(ListSubRentsRequest) -> ListSubRentsResponse;
    check_availability(CheckAvailabilityRequest) -> CheckAvailabilityResponse;
    list_shortages(ListShortagesRequest) -> ListShortagesResponse;
    list_conflicts(ListConflictsRequest) -> ListConflictsResponse;
    get_planning_settings(GetPlanningSettingsRequest) -> GetPlanningSettingsResponse;
    update_planning_settings(UpdatePlanningSettingsRequest) -> UpdatePlanningSettingsResponse;
    }
}

using System.Collections.Generic;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// TSheets' documented endpoints (API v1, as its documentation and Intuit's own .NET SDK list
    /// them), offered when -Path is completed. Any other path is still sent as it is.
    /// </summary>
    internal static class ApiEndpoints
    {
        public static readonly IReadOnlyList<string> Documented = new[]
        {
            "current_user",
            "customfielditem_filters",
            "customfielditem_jobcode_filters",
            "customfielditem_user_filters",
            "customfielditems",
            "customfields",
            "effective_settings",
            "files",
            "files/raw",
            "geofence_configs",
            "geolocations",
            "groups",
            "invitations",
            "jobcode_assignments",
            "jobcodes",
            "last_modified_timestamps",
            "locations",
            "locations_map",
            "managed_clients",
            "notifications",
            "project_activities",
            "project_activity_replies",
            "project_notes",
            "projects",
            "reminders",
            "reports/current_totals",
            "reports/payroll",
            "reports/payroll_by_jobcode",
            "reports/project",
            "schedule_calendars",
            "schedule_events",
            "time_off_request_entries",
            "time_off_requests",
            "timesheets",
            "timesheets_deleted",
            "users",
        };
    }
}

//! Method names of every revision.

macro_rules! methods {
    ($($(#[$doc:meta])* $name:ident = $value:literal,)*) => {
        $($(#[$doc])* pub const $name: &str = $value;)*

        /// Every method name the protocol defines, in any revision.
        pub const ALL: &[&str] = &[$($value),*];

        pub(crate) fn intern(name: &str) -> Option<&'static str> {
            match name {
                $($value => Some($value),)*
                _ => None,
            }
        }
    };
}

methods! {
    /// Client → server: start a stateful session (through 2025-11-25).
    INITIALIZE = "initialize",
    /// Client → server: the session is ready (through 2025-11-25).
    INITIALIZED = "notifications/initialized",
    /// Either direction: liveness check (through 2025-11-25).
    PING = "ping",
    /// Client → server: versions, capabilities and identity (2026-07-28).
    DISCOVER = "server/discover",
    /// Client → server: list tools.
    TOOLS_LIST = "tools/list",
    /// Client → server: call a tool.
    TOOLS_CALL = "tools/call",
    /// Client → server: list resources.
    RESOURCES_LIST = "resources/list",
    /// Client → server: list resource templates.
    RESOURCES_TEMPLATES_LIST = "resources/templates/list",
    /// Client → server: read a resource.
    RESOURCES_READ = "resources/read",
    /// Client → server: subscribe to a resource (through 2025-11-25).
    RESOURCES_SUBSCRIBE = "resources/subscribe",
    /// Client → server: unsubscribe from a resource (through 2025-11-25).
    RESOURCES_UNSUBSCRIBE = "resources/unsubscribe",
    /// Client → server: open a change-notification stream (2026-07-28).
    SUBSCRIPTIONS_LISTEN = "subscriptions/listen",
    /// Client → server: list prompts.
    PROMPTS_LIST = "prompts/list",
    /// Client → server: get a prompt.
    PROMPTS_GET = "prompts/get",
    /// Client → server: complete an argument.
    COMPLETION_COMPLETE = "completion/complete",
    /// Client → server: set the session's log level (through 2025-11-25).
    LOGGING_SET_LEVEL = "logging/setLevel",
    /// Server → client: sample from the client's model.
    SAMPLING_CREATE_MESSAGE = "sampling/createMessage",
    /// Server → client: ask the user for input.
    ELICITATION_CREATE = "elicitation/create",
    /// Server → client: list the client's roots.
    ROOTS_LIST = "roots/list",
    /// Either direction: get a task (2025-11-25, experimental).
    TASKS_GET = "tasks/get",
    /// Either direction: get a task's result (2025-11-25, experimental).
    TASKS_RESULT = "tasks/result",
    /// Either direction: list tasks (2025-11-25, experimental).
    TASKS_LIST = "tasks/list",
    /// Either direction: cancel a task (2025-11-25, experimental).
    TASKS_CANCEL = "tasks/cancel",
    /// Either direction: a request was cancelled.
    CANCELLED = "notifications/cancelled",
    /// Either direction: progress of a request.
    PROGRESS = "notifications/progress",
    /// Server → client: a log message.
    MESSAGE = "notifications/message",
    /// Server → client: the resource list changed.
    RESOURCES_LIST_CHANGED = "notifications/resources/list_changed",
    /// Server → client: a resource changed.
    RESOURCES_UPDATED = "notifications/resources/updated",
    /// Server → client: the prompt list changed.
    PROMPTS_LIST_CHANGED = "notifications/prompts/list_changed",
    /// Server → client: the tool list changed.
    TOOLS_LIST_CHANGED = "notifications/tools/list_changed",
    /// Client → server: the client's roots changed (through 2025-11-25).
    ROOTS_LIST_CHANGED = "notifications/roots/list_changed",
    /// Server → client: a URL elicitation finished (2025-11-25).
    ELICITATION_COMPLETE = "notifications/elicitation/complete",
    /// Server → client: a task's status changed (2025-11-25, experimental).
    TASKS_STATUS = "notifications/tasks/status",
    /// Server → client: a `subscriptions/listen` stream is open (2026-07-28).
    SUBSCRIPTIONS_ACKNOWLEDGED = "notifications/subscriptions/acknowledged",
}

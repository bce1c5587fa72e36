// Generated from the server's /openapi.json by scripts/generate.ts (openapi-typescript). Do not edit.
// Regenerate: pnpm --filter @agentrt/client generate
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process serves HTTP */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Alive */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Every agent as a Model Context Protocol tool (Streamable HTTP, stateless)
         * @description MCP's Streamable HTTP transport without sessions: `initialize`, `tools/list` (every active agent the key may invoke, with its template's input schema) and `tools/call` (runs the agent without a thread and answers with its reply).
         *
         *     Send `Accept: application/json, text/event-stream`; answers are JSON, or an event stream when the call reports progress. `GET` and `DELETE` answer 405.
         *
         *     Requires scope `read`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["JsonRpcMessage"] | components["schemas"]["JsonRpcMessage"][];
                };
            };
            responses: {
                /** @description The JSON-RPC answer, as JSON or as an event stream of JSON-RPC messages */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JsonRpcMessage"];
                        "text/event-stream": string;
                    };
                };
                /** @description A notification or response was accepted; nothing to answer */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Malformed JSON (problem+json), or not a JSON-RPC message this stateless server takes (a JSON-RPC error) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JsonRpcMessage"];
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The `Accept` header does not take both `application/json` and `text/event-stream` */
                406: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JsonRpcMessage"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (text exposition format)
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Metrics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the store answers and templates are loaded */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready to serve */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Ready"];
                    };
                };
                /** @description Not ready */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List agents, newest first
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                    status?: "active" | "paused";
                    /** @description Only agents of this template */
                    template?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of agents */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AgentPage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        /**
         * Create an agent from a template and a config
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateAgent"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an agent by id or name
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The agent */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete an agent with its revisions, runs and schedules
         * @description Requires scope `admin`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        /**
         * Rename, describe or reconfigure an agent; a changed config makes a new revision
         * @description Requires scope `admin`.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateAgent"];
                };
            };
            responses: {
                /** @description Updated */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        trace?: never;
    };
    "/v1/agents/{agent}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause: the agent accepts no new runs until resumed
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Paused */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused agent
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Active */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/revisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Config history, newest first
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                };
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of revisions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RevisionPage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a stored revision (template version and config) as a new revision
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RollbackAgent"];
                };
            };
            responses: {
                /** @description Rolled back: the new revision */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Agent"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run an agent: wait for the result, start it in the background, or stream its events
         * @description Requires scope `invoke`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateRun"];
                };
            };
            responses: {
                /** @description `sync`: the finished run, whatever its status: a failed, cancelled or timed-out run answers 200 with its `error` (the run is the resource; retrying would run it again); `stream`: its events as SSE */
                200: {
                    headers: {
                        /** @description The run's id */
                        "x-agentrt-run-id"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Run"];
                        "text/event-stream": string;
                    };
                };
                /** @description `background`: the queued run */
                202: {
                    headers: {
                        /** @description The run's id */
                        "x-agentrt-run-id"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Run"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        /**
         * Delete an agent's finished runs created before a time
         * @description Queued and running runs stay. Deleted runs answer 404 RUN_DELETED afterwards.
         *
         *     Requires scope `admin`.
         */
        delete: {
            parameters: {
                query: {
                    /** @description Runs created before this instant */
                    before: string;
                };
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description How many runs were deleted */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeletedRuns"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health and usage of one agent over the last hour
         * @description Read from the store's run records: every node of a cluster reports the same, and a restart loses nothing.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The agent's statistics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AgentStats"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{agent}/upgrade": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move an agent to another template version, applying config migrations
         * @description Applies the target version's migrations newer than the agent's version, validates the result and, unless `dryRun`, writes a new revision and stores `to` as the agent's range. A failing migration or validation leaves the agent untouched. Moving to an older version is refused (409 DOWNGRADE_REFUSED) when it would change or drop any setting: roll back to a revision instead.
         *
         *     Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Agent id or name */
                    agent: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpgradeAgent"];
                };
            };
            responses: {
                /** @description Upgraded, or the dry-run result */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UpgradeResult"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys (never the keys themselves)
         * @description Requires scope `admin`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of keys */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKeyPage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        /**
         * Create an API key; the response holds the key, shown only once
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateApiKey"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedApiKey"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key
         * @description Requires scope `admin`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        /**
         * Rename an API key, change its scopes or its rate limits (the key itself stays)
         * @description Requires scope `admin`.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateApiKey"];
                };
            };
            responses: {
                /** @description The key as it is now */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKey"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Talk to an agent through OpenAI's Chat Completions API
         * @description `model` is the agent. Without a thread the request is stateless: `messages` is the whole history.
         *
         *     With a thread (header `X-Agentrt-Thread-Id` or `metadata.thread_id`) the thread's memory is used and extended, and only the trailing user and tool message(s) are taken from `messages`.
         *
         *     `tools` the request declares are the caller's: when the model calls one the answer carries `tool_calls` with `finish_reason: "tool_calls"`; the next request brings the results as `role: "tool"` messages and the run continues.
         *
         *     Agents other than conversation agents get the last user message's text as input; their output is the reply.
         *
         *     `stream: true` answers with `chat.completion.chunk` SSE events and `data: [DONE]`.
         *
         *     Like OpenAI, a stateless completion is not stored unless the request says `store: true` (or the agent's `retention.storeCompletions` does): it still counts in metrics, traces, rate limits and the agent's limits, but leaves no run behind (no `x-agentrt-run-id` header). A completion on a thread is always stored as a run.
         *
         *     Request fields the agent ignored are named in the `x-agentrt-ignored-params` response header; the full table is in the `ChatCompletionRequest` schema.
         *
         *     Requires scope `invoke`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description What a new run on a thread does while an earlier run on it is still queued or running: `reject` (409 THREAD_BUSY), `enqueue` (run after it; the default) or `interrupt` (cancel it, keeping what it wrote, and start) */
                    "x-agentrt-multitask-strategy"?: components["schemas"]["MultitaskStrategy"] & unknown;
                    /** @description When the client drops the connection before the run ends: `cancel` the run (the default; its model calls are aborted) or let it `continue` (follow it with GET /v1/runs/{id}/events) */
                    "x-agentrt-on-disconnect"?: components["schemas"]["OnDisconnect"] & unknown;
                    /** @description Continue this thread: its memory is used and extended; send only the new user message(s) */
                    "x-agentrt-thread-id"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ChatCompletionRequest"];
                };
            };
            responses: {
                /** @description The completion, or with `stream: true` its chunks as SSE */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ChatCompletion"];
                        "text/event-stream": string;
                    };
                };
                /** @description Malformed or unsupported request (`invalid_request_error`, `param` names the field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description Missing or invalid API key (`invalid_api_key`) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description No such model (`model_not_found`) or thread (`thread_not_found`) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The agent is paused (`agent_paused`) or the thread is busy (`thread_busy`) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The agent's run failed (`run_failed`, or the template's own code); `x-should-retry: false`: retrying would run it again */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                429: components["responses"]["OpenAITooManyRequests"];
                /** @description The agent's model provider failed (`upstream_error`); retryable (`x-should-retry: true`) only when it could not be reached before the run did anything */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The run timed out (`run_timeout`) */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Agents as OpenAI models: every active agent this key may invoke
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The models */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelList"];
                    };
                };
                /** @description Malformed or unsupported request (`invalid_request_error`, `param` names the field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description Missing or invalid API key (`invalid_api_key`) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description No such model (`model_not_found`) or thread (`thread_not_found`) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                429: components["responses"]["OpenAITooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One agent as an OpenAI model
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The model */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Model"];
                    };
                };
                /** @description Malformed or unsupported request (`invalid_request_error`, `param` names the field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description Missing or invalid API key (`invalid_api_key`) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                /** @description No such model (`model_not_found`) or thread (`thread_not_found`) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAIError"];
                    };
                };
                429: components["responses"]["OpenAITooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List runs, newest first
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Agent id or name */
                    agent?: string;
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                    status?: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
                    thread?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of runs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunPage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a run
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The run */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Run"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a finished run with its events
         * @description A queued or running run answers 409 RUN_NOT_FINISHED (cancel it first). Afterwards the id answers 404 RUN_DELETED for as long as the server keeps tombstones (AGENTRT_RETENTION_TOMBSTONE_TTL); its idempotency key is free again.
         *
         *     Requires scope `admin`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a queued or running run
         * @description Requires scope `invoke`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The cancelled run */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Run"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict with the current state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a run's events as SSE: stored ones first, then live; resumable
         * @description Send `Last-Event-ID` (or `?after=<seq>`) to resume after a dropped connection: you get exactly the events after that seq.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    after?: number | null;
                };
                header?: {
                    "last-event-id"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description SSE stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List schedules, newest first
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    agent?: string;
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of schedules */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SchedulePage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        /**
         * Run an agent on a cron schedule
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateSchedule"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a schedule
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The schedule */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a schedule
         * @description Requires scope `admin`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        /**
         * Change a schedule's cron, timezone, input, webhook, overlap policy or enabled state
         * @description Requires scope `admin`.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateSchedule"];
                };
            };
            responses: {
                /** @description The updated schedule */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        trace?: never;
    };
    "/v1/schedules/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a schedule: no tick fires until it is resumed (runs already started go on)
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The paused schedule */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused schedule from its next fire time; paused time is not caught up
         * @description Requires scope `admin`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The resumed schedule */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Schedule"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Installed templates, and the ones refused at start-up with the reason
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Loaded and rejected templates */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TemplateList"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One template with all its installed versions
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The template */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Template"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{name}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health and usage of each installed version over the last hour
         * @description Read from the store's run records: every node of a cluster reports the same, and a restart loses nothing.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Template name */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Per-version statistics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TemplateStats"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{name}/versions/{version}/schema": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * JSON Schema (2020-12) of the agent config for one template version
         * @description `version` is an exact version, a semver range, or `latest`.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The config JSON Schema */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JsonSchema"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/catalog": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the npm registry for templates, each marked compatible or not with this server
         * @description Searches the configured npm registry (`AGENTRT_NPM_REGISTRY`) for packages with the `agentrt-template` keyword and reads each result's `agentrt.coreApi` from its published manifest.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Results (1-100) */
                    limit?: number;
                    /** @description Search words, added to the keyword filter */
                    q?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Matching templates */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Catalog"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
                /** @description An upstream service failed */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/threads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List threads, newest first
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Only threads bound to this agent (id or name) */
                    agent?: string;
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size (1-200) */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of threads */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ThreadPage"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        /**
         * Create a conversation thread; runs given its id share its memory
         * @description Requires scope `invoke`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateThread"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Thread"];
                    };
                };
                /** @description Malformed request (e.g. invalid JSON) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body too large */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Request body is not application/json */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/threads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a thread
         * @description Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The thread */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Thread"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a thread and its memory; its unfinished runs are cancelled first
         * @description Requires scope `invoke`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/threads/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The thread's conversation so far, oldest first
         * @description The complete transcript from the thread's memory; memory trimming only limits what the model sees.
         *
         *     Requires scope `read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The messages */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ThreadMessages"];
                    };
                };
                /** @description Missing or invalid API key */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The API key lacks the scope this route needs */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Validation failed; `errors` lists field paths */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                429: components["responses"]["TooManyRequests"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "run.finished": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A run reached a terminal state (Standard Webhooks)
         * @description Signed per the [Standard Webhooks](https://www.standardwebhooks.com/) specification: `webhook-signature` is `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` under `AGENTRT_WEBHOOK_SECRET`.
         *
         *     Verify with any Standard Webhooks library, e.g. `new Webhook(secret, { format: "raw" }).verify(body, headers)` (or `new Webhook(secret)` for a `whsec_` secret); it also rejects timestamps more than 5 minutes off, i.e. replays.
         *
         *     A non-2xx answer or a timeout is retried with exponential backoff (5 attempts); every attempt is listed in the run's `webhookDeliveries`.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description The run id: the same on every retry of this event */
                    "webhook-id": string;
                    /** @description `v1,<base64 signature>` */
                    "webhook-signature": string;
                    /** @description Unix seconds of this attempt */
                    "webhook-timestamp": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RunFinishedWebhook"];
                };
            };
            responses: {
                /** @description Any 2xx acknowledges the delivery */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        Agent: {
            config: components["schemas"]["AgentConfig"];
            createdAt: string;
            description: string | null;
            /** @example agt_01jx3k9w2a7f0000000000000000 */
            id: string;
            limits: components["schemas"]["AgentLimits"];
            name: string;
            retention: {
                compactEventsAfter?: string | null;
                runMaxAge?: string | null;
                runMaxCount?: number | null;
                scheduleRunMaxCount?: number | null;
                storeCompletions?: boolean;
                threadIdleTimeout?: string | null;
            } | null;
            revision: number;
            /** @enum {string} */
            status: "active" | "paused";
            template: {
                name: string;
                /** @description The range the agent was created with */
                range: string;
                /** @description The resolved version this revision runs on */
                version: string;
            };
            updatedAt: string;
        };
        /** @description Validated by the template's config schema: see /v1/templates/{name}/versions/{version}/schema */
        AgentConfig: {
            [key: string]: unknown;
        };
        /** @description Quotas checked when a run is submitted; one that is reached refuses the run with 429 `RATE_LIMITED` and `Retry-After`; `null`: no limit. */
        AgentLimits: {
            maxConcurrentRuns: number | null;
            maxRunsPerMinute: number | null;
            maxTokensPerDay: number | null;
        };
        /** @description Quotas checked when a run is submitted; one that is reached refuses the run with 429 `RATE_LIMITED` and `Retry-After`. Fields given replace the agent's, the others stay. */
        AgentLimitsChange: {
            /** @description Runs of the agent queued or running at once; `null` removes the limit */
            maxConcurrentRuns?: number | null;
            /** @description Runs accepted per minute; `null` removes the limit */
            maxRunsPerMinute?: number | null;
            /** @description Model tokens (prompt + completion) per UTC day, from the runs' usage; `null` removes the limit */
            maxTokensPerDay?: number | null;
        };
        AgentPage: {
            data: components["schemas"]["Agent"][];
            nextCursor: string | null;
        };
        AgentRevision: {
            config: components["schemas"]["AgentConfig"];
            createdAt: string;
            revision: number;
            templateVersion: string;
        };
        AgentStats: {
            agentId: string;
            /** @description `errors / runs`; 0 without runs */
            errorRate: number;
            /** @description Runs that failed (interrupted ones too) or timed out */
            errors: number;
            /** @description Median run duration (ms, start to end, nearest rank); null without runs */
            p50Ms: number | null;
            /** @description 95th percentile run duration (ms); null without runs */
            p95Ms: number | null;
            /** @description Runs that started and ended in the window */
            runs: number;
            /**
             * @description The window: the last hour (ISO 8601 duration)
             * @enum {string}
             */
            window: "PT1H";
        };
        ApiKey: {
            createdAt: string;
            id: string;
            lastUsedAt: string | null;
            name: string;
            /** @description First characters of the key, to tell keys apart */
            prefix: string;
            rateLimits: components["schemas"]["ApiKeyRateLimits"];
            scopes: ("admin" | "invoke" | "read")[];
        };
        ApiKeyPage: {
            data: components["schemas"]["ApiKey"][];
            nextCursor: string | null;
        };
        /** @description This key's own request limits per scope class, overriding the server's `AGENTRT_RATE_LIMIT_*` defaults for the classes given */
        ApiKeyRateLimits: {
            /** @description Requests to `admin` routes per rate-limit window; 0 means unlimited */
            admin?: number;
            /** @description Requests to `invoke` routes per rate-limit window; 0 means unlimited */
            invoke?: number;
            /** @description Requests to `read` routes per rate-limit window; 0 means unlimited */
            read?: number;
        };
        Catalog: {
            coreApiVersion: string;
            data: components["schemas"]["CatalogEntry"][];
            registry: string;
        };
        CatalogEntry: {
            /**
             * @description Why it is not compatible, or `UPSTREAM_ERROR` when the registry refused its manifest (e.g. 401 for a private package) so it could not be checked; null when it is compatible
             * @enum {string|null}
             */
            code: "TEMPLATE_INCOMPATIBLE" | "TEMPLATE_INVALID" | "TEMPLATE_NOT_FOUND" | "UPSTREAM_ERROR" | null;
            /** @description Whether this server's core API satisfies `coreApi` */
            compatible: boolean;
            /** @description `agentrt.coreApi` of that version */
            coreApi: string | null;
            description: string | null;
            /** @description Versions of this package loaded here */
            installedVersions: string[];
            packageName: string;
            /** @description What `code` means for this entry */
            reason: string | null;
            /** @description Latest published version */
            version: string;
        };
        ChatCompletion: {
            choices: {
                /** @enum {string} */
                finish_reason: "stop" | "tool_calls";
                index: number;
                logprobs: null;
                message: {
                    /** @description `null` when the reply only calls tools */
                    content: string | null;
                    refusal: null;
                    /** @enum {string} */
                    role: "assistant";
                    /** @description Calls of the tools the request declared: run them, send the results */
                    tool_calls?: {
                        function: {
                            arguments: string;
                            name: string;
                        };
                        id: string;
                        /** @enum {string} */
                        type: "function";
                    }[];
                };
            }[];
            created: number;
            /** @description `chatcmpl-` + the run id */
            id: string;
            model: string;
            /** @enum {string} */
            object: "chat.completion";
            system_fingerprint: null;
            usage: {
                completion_tokens: number;
                prompt_tokens: number;
                total_tokens: number;
            };
        };
        /**
         * @description What agentrt does with each request field:
         *
         *     | field | outcome | details |
         *     | --- | --- | --- |
         *     | `model` | honoured | the agent: its name (or id), `name@revision` pins a config revision |
         *     | `messages` | honoured | text content only; image, audio and file parts are refused |
         *     | `stream` | honoured | SSE `chat.completion.chunk` events, then `data: [DONE]` |
         *     | `stream_options` | honoured | `include_usage` adds the usage chunk |
         *     | `metadata` | honoured | `thread_id` continues a thread, `multitask_strategy` as the header; other keys are ignored and named |
         *     | `n` | refused (400 `unsupported_parameter`) | only one choice: `n: 1` is fine, more is refused |
         *     | `store` | honoured | `true` keeps a stateless completion as a run; without it, as at OpenAI, it is not stored (completions on a thread always are: `false` there is ignored and named) |
         *     | `temperature` | honoured when the agent allows it | sampling hint |
         *     | `top_p` | honoured when the agent allows it | sampling hint |
         *     | `max_tokens` | honoured when the agent allows it | sampling hint |
         *     | `max_completion_tokens` | honoured when the agent allows it | sampling hint |
         *     | `stop` | honoured when the agent allows it | sampling hint |
         *     | `seed` | honoured when the agent allows it | sampling hint |
         *     | `frequency_penalty` | honoured when the agent allows it | sampling hint |
         *     | `presence_penalty` | honoured when the agent allows it | sampling hint |
         *     | `logit_bias` | honoured when the agent allows it | sampling hint |
         *     | `reasoning_effort` | honoured when the agent allows it | sampling hint |
         *     | `verbosity` | honoured when the agent allows it | sampling hint |
         *     | `response_format` | honoured when the agent allows it | `text` always; `json_object` / `json_schema` when the agent honours it, and the reply is checked against it (a mismatch is `output_format_mismatch`) |
         *     | `user` | ignored (named in `x-agentrt-ignored-params`) | end-user id for the provider's abuse monitoring: ignored and named |
         *     | `safety_identifier` | ignored (named in `x-agentrt-ignored-params`) | end-user id for the provider's abuse monitoring: ignored and named |
         *     | `prompt_cache_key` | ignored (named in `x-agentrt-ignored-params`) | provider cache hint: ignored and named |
         *     | `service_tier` | ignored (named in `x-agentrt-ignored-params`) | provider tier: ignored and named |
         *     | `tools` | honoured when the agent allows it | caller tools: calls come back as `tool_calls` (`finish_reason: "tool_calls"`), results as `role: "tool"`; agents taking none refuse (`[]` is fine) |
         *     | `tool_choice` | honoured when the agent allows it | with `tools`; refused by agents that take no tools (`none` is fine) |
         *     | `parallel_tool_calls` | honoured when the agent allows it | with `tools` |
         *     | `functions` | refused (400 `unsupported_parameter`) | deprecated function calling: refused |
         *     | `function_call` | refused (400 `unsupported_parameter`) | deprecated function calling: refused (`none` is fine) |
         *     | `logprobs` | refused (400 `unsupported_parameter`) | agents report no log probabilities (`false` is fine) |
         *     | `top_logprobs` | refused (400 `unsupported_parameter`) | agents report no log probabilities |
         *     | `modalities` | refused (400 `unsupported_parameter`) | text only (`["text"]` is fine) |
         *     | `audio` | refused (400 `unsupported_parameter`) | text only |
         *     | `prediction` | refused (400 `unsupported_parameter`) | predicted outputs are not supported |
         *     | `web_search_options` | refused (400 `unsupported_parameter`) | agents do not search the web on request |
         *     | anything else | refused | |
         */
        ChatCompletionRequest: {
            frequency_penalty?: number | null;
            logit_bias?: {
                [key: string]: number;
            } | null;
            max_completion_tokens?: number | null;
            max_tokens?: number | null;
            messages: ({
                /** @description Text, or text parts (other part types are refused) */
                content?: string | ({
                    text?: string;
                    type: string;
                } & {
                    [key: string]: unknown;
                })[] | null;
                name?: string;
                /** @enum {string} */
                role: "system" | "developer" | "user" | "assistant" | "tool";
                /** @description On a tool message: the id of the call this is the result of */
                tool_call_id?: string;
                /** @description On an assistant message: the tool calls the agent handed back earlier */
                tool_calls?: {
                    function: {
                        arguments: string;
                        name: string;
                    };
                    id: string;
                    /** @enum {string} */
                    type: "function";
                }[] | null;
            } & {
                [key: string]: unknown;
            })[];
            /** @description `thread_id` continues a thread; `multitask_strategy` and `on_disconnect` as the headers */
            metadata?: ({
                multitask_strategy?: components["schemas"]["MultitaskStrategy"] & unknown;
                on_disconnect?: components["schemas"]["OnDisconnect"] & unknown;
                thread_id?: string;
            } & {
                [key: string]: unknown;
            }) | null;
            /** @description Agent name (or id); `name@revision` runs that config revision */
            model: string;
            parallel_tool_calls?: boolean | null;
            presence_penalty?: number | null;
            /** @enum {string|null} */
            reasoning_effort?: "minimal" | "low" | "medium" | "high" | null;
            response_format?: ({
                /** @enum {string} */
                type: "text";
            } & {
                [key: string]: unknown;
            }) | ({
                /** @enum {string} */
                type: "json_object";
            } & {
                [key: string]: unknown;
            }) | ({
                json_schema: {
                    name: string;
                    schema?: {
                        [key: string]: unknown;
                    };
                } & {
                    [key: string]: unknown;
                };
                /** @enum {string} */
                type: "json_schema";
            } & {
                [key: string]: unknown;
            }) | null;
            seed?: number | null;
            stop?: string | string[] | null;
            /** @description `true` keeps a stateless completion as a run (`GET /v1/runs`); without it nothing is stored, as at OpenAI. Completions on a thread are always stored. */
            store?: boolean | null;
            stream?: boolean | null;
            stream_options?: ({
                include_usage?: boolean;
            } & {
                [key: string]: unknown;
            }) | null;
            temperature?: number | null;
            tool_choice?: ("none" | "auto" | "required") | {
                function: {
                    name: string;
                };
                /** @enum {string} */
                type: "function";
            } | null;
            tools?: {
                function: {
                    description?: string;
                    name: string;
                    parameters?: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                } & {
                    [key: string]: unknown;
                };
                /** @enum {string} */
                type: "function";
            }[] | null;
            top_p?: number | null;
            /** @enum {string|null} */
            verbosity?: "low" | "medium" | "high" | null;
        } & {
            [key: string]: unknown;
        };
        CreateAgent: {
            config?: components["schemas"]["AgentConfig"];
            description?: string | null;
            limits?: components["schemas"]["AgentLimitsChange"];
            /** @example support-bot */
            name: string;
            retention?: {
                compactEventsAfter?: string | null;
                runMaxAge?: string | null;
                runMaxCount?: number | null;
                scheduleRunMaxCount?: number | null;
                storeCompletions?: boolean;
                threadIdleTimeout?: string | null;
            } | null;
            /**
             * @description Template name, optionally pinned: `task`, `task@^1`, `task@1.2.0`
             * @example task
             */
            template: string;
        };
        CreateApiKey: {
            name: string;
            rateLimits?: components["schemas"]["ApiKeyRateLimits"];
            scopes: ("admin" | "invoke" | "read")[];
        };
        CreatedApiKey: components["schemas"]["ApiKey"] & {
            /** @description The secret key. Shown once, never again. */
            key: string;
        };
        CreateRun: {
            /** @description The same key for the same agent within 24 h returns the first run */
            idempotencyKey?: string;
            /** @description Run input, validated by the template's input schema */
            input?: unknown;
            /**
             * @default sync
             * @enum {string}
             */
            mode?: "sync" | "background" | "stream";
            multitaskStrategy?: components["schemas"]["MultitaskStrategy"];
            onDisconnect?: components["schemas"]["OnDisconnect"];
            /** @description An existing thread (POST /v1/threads) */
            threadId?: string;
            /** @description Run time limit in ms, from 100 up to the server's maximum (AGENTRT_RUN_MAX_TIMEOUT_MS) */
            timeoutMs?: number;
            /**
             * Format: uri
             * @description http(s) URL to POST the run summary to when the run ends. Loopback, private, link-local and other internal addresses are refused (422) unless the operator allows them (AGENTRT_WEBHOOK_ALLOW_INTERNAL)
             */
            webhookUrl?: string;
        };
        CreateSchedule: {
            /** @description Agent id or name */
            agent: string;
            /**
             * @description 5-field cron, or 6 fields with seconds first; one that can never fire (`0 0 30 2 *`) is refused with 422 SCHEDULE_INVALID
             * @example 0 *\/15 * * * *
             */
            cron: string;
            /** @default true */
            enabled?: boolean;
            input?: unknown;
            overlap?: components["schemas"]["ScheduleOverlap"];
            /**
             * @default UTC
             * @example Europe/Berlin
             */
            timezone?: string;
            /**
             * Format: uri
             * @description Where each run's Standard Webhooks event is POSTed (see `webhooks`)
             */
            webhookUrl?: string;
        };
        CreateThread: {
            /** @description Bind the thread to this agent (id or name) */
            agent?: string;
            /** @description Free-form; `multitaskStrategy` sets the thread's default strategy */
            metadata?: {
                multitaskStrategy?: components["schemas"]["MultitaskStrategy"] & unknown;
            } & {
                [key: string]: unknown;
            };
        };
        DeletedRuns: {
            deleted: number;
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /** @description A JSON-RPC 2.0 request, notification or response */
        JsonRpcMessage: {
            id?: string | number;
            /** @enum {string} */
            jsonrpc: "2.0";
            method?: string;
            params?: {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        JsonSchema: {
            [key: string]: unknown;
        };
        Model: {
            /** @description agentrt's extension: how this agent treats request fields */
            agentrt?: {
                /** @description Chat params callers may set for this agent */
                params: string[];
                template: string;
                /**
                 * @description What happens to other sampling hints: ignored and named, or refused
                 * @enum {string}
                 */
                unsupported_params: "ignore" | "refuse";
            };
            /** @description Unix seconds */
            created: number;
            /**
             * @description The agent's name; `name@revision` pins a config revision
             * @example support-bot
             */
            id: string;
            /** @enum {string} */
            object: "model";
            /** @enum {string} */
            owned_by: "agentrt";
        };
        ModelList: {
            data: components["schemas"]["Model"][];
            /** @enum {string} */
            object: "list";
        };
        /**
         * @description While the thread has an unfinished run: reject, enqueue or interrupt (default: the thread's, else enqueue)
         * @enum {string}
         */
        MultitaskStrategy: "reject" | "enqueue" | "interrupt";
        /**
         * @description `sync` and `stream` only: what the run does if the client drops the connection first (default `cancel`)
         * @enum {string}
         */
        OnDisconnect: "cancel" | "continue";
        OpenAIError: {
            error: {
                /** @example model_not_found */
                code: string | null;
                message: string;
                param: string | null;
                /** @example invalid_request_error */
                type: string;
            };
        };
        Problem: {
            /** @description A host code, or a template's own code as `<template>.<CODE>` (e.g. `task.STEP_FAILED`) */
            code: ("BAD_REQUEST" | "MALFORMED_JSON" | "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED" | "UNSUPPORTED_PARAMETER" | "ROUTE_NOT_FOUND" | "METHOD_NOT_ALLOWED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "INTERNAL" | "NOT_READY" | "TEMPLATE_NOT_FOUND" | "TEMPLATE_VERSION_NOT_FOUND" | "TEMPLATE_INCOMPATIBLE" | "TEMPLATE_INVALID" | "TEMPLATE_DUPLICATE" | "TEMPLATE_SERVICE_MISSING" | "TEMPLATE_REJECTED" | "AGENT_NOT_FOUND" | "AGENT_NAME_TAKEN" | "AGENT_PAUSED" | "CONFIG_INVALID" | "MIGRATION_FAILED" | "DOWNGRADE_REFUSED" | "REVISION_NOT_FOUND" | "API_KEY_NOT_FOUND" | "RUN_NOT_FOUND" | "RUN_FAILED" | "RUN_TIMEOUT" | "RUN_CANCELLED" | "RUN_INTERRUPTED" | "RUN_ALREADY_FINISHED" | "RUN_EXPIRED" | "RUN_DELETED" | "RUN_NOT_FINISHED" | "QUEUE_FULL" | "IDEMPOTENCY_CONFLICT" | "THREAD_NOT_FOUND" | "THREAD_BUSY" | "SCHEDULE_NOT_FOUND" | "SCHEDULE_INVALID" | "UPSTREAM_ERROR" | "RESPONSE_TOO_LARGE" | "OUTPUT_FORMAT_MISMATCH") | string;
            detail: string;
            /** @description Field-level problems; `path` addresses the offending field in the request */
            errors?: {
                message: string;
                path: (string | number)[];
            }[];
            status: number;
            title: string;
            /** @description The request's OpenTelemetry trace id, when the server exports traces */
            traceId?: string;
            /** @example https://agentrt.dev/errors/AGENT_NOT_FOUND */
            type: string;
        };
        Ready: {
            /**
             * @description What this node does (AGENTRT_ROLE): accept and execute runs, only accept, or only execute
             * @enum {string}
             */
            role: "all" | "api" | "worker";
            /** @enum {string} */
            status: "ready";
            store: string;
            templates: {
                loaded: number;
                rejected: number;
            };
        };
        RejectedTemplate: {
            /** @enum {string} */
            code: "BAD_REQUEST" | "MALFORMED_JSON" | "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED" | "UNSUPPORTED_PARAMETER" | "ROUTE_NOT_FOUND" | "METHOD_NOT_ALLOWED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "INTERNAL" | "NOT_READY" | "TEMPLATE_NOT_FOUND" | "TEMPLATE_VERSION_NOT_FOUND" | "TEMPLATE_INCOMPATIBLE" | "TEMPLATE_INVALID" | "TEMPLATE_DUPLICATE" | "TEMPLATE_SERVICE_MISSING" | "TEMPLATE_REJECTED" | "AGENT_NOT_FOUND" | "AGENT_NAME_TAKEN" | "AGENT_PAUSED" | "CONFIG_INVALID" | "MIGRATION_FAILED" | "DOWNGRADE_REFUSED" | "REVISION_NOT_FOUND" | "API_KEY_NOT_FOUND" | "RUN_NOT_FOUND" | "RUN_FAILED" | "RUN_TIMEOUT" | "RUN_CANCELLED" | "RUN_INTERRUPTED" | "RUN_ALREADY_FINISHED" | "RUN_EXPIRED" | "RUN_DELETED" | "RUN_NOT_FINISHED" | "QUEUE_FULL" | "IDEMPOTENCY_CONFLICT" | "THREAD_NOT_FOUND" | "THREAD_BUSY" | "SCHEDULE_NOT_FOUND" | "SCHEDULE_INVALID" | "UPSTREAM_ERROR" | "RESPONSE_TOO_LARGE" | "OUTPUT_FORMAT_MISMATCH";
            message: string;
            packageName: string;
            packageVersion: string | null;
        };
        RevisionPage: {
            data: components["schemas"]["AgentRevision"][];
            nextCursor: string | null;
        };
        RollbackAgent: {
            /** @description The stored revision to restore (template version and config) */
            revision: number;
        };
        Run: {
            agentId: string;
            agentRevision: number;
            createdAt: string;
            error: {
                code: ("BAD_REQUEST" | "MALFORMED_JSON" | "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED" | "UNSUPPORTED_PARAMETER" | "ROUTE_NOT_FOUND" | "METHOD_NOT_ALLOWED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "INTERNAL" | "NOT_READY" | "TEMPLATE_NOT_FOUND" | "TEMPLATE_VERSION_NOT_FOUND" | "TEMPLATE_INCOMPATIBLE" | "TEMPLATE_INVALID" | "TEMPLATE_DUPLICATE" | "TEMPLATE_SERVICE_MISSING" | "TEMPLATE_REJECTED" | "AGENT_NOT_FOUND" | "AGENT_NAME_TAKEN" | "AGENT_PAUSED" | "CONFIG_INVALID" | "MIGRATION_FAILED" | "DOWNGRADE_REFUSED" | "REVISION_NOT_FOUND" | "API_KEY_NOT_FOUND" | "RUN_NOT_FOUND" | "RUN_FAILED" | "RUN_TIMEOUT" | "RUN_CANCELLED" | "RUN_INTERRUPTED" | "RUN_ALREADY_FINISHED" | "RUN_EXPIRED" | "RUN_DELETED" | "RUN_NOT_FINISHED" | "QUEUE_FULL" | "IDEMPOTENCY_CONFLICT" | "THREAD_NOT_FOUND" | "THREAD_BUSY" | "SCHEDULE_NOT_FOUND" | "SCHEDULE_INVALID" | "UPSTREAM_ERROR" | "RESPONSE_TOO_LARGE" | "OUTPUT_FORMAT_MISMATCH") | string;
                details?: {
                    [key: string]: unknown;
                };
                message: string;
            } | null;
            finishedAt: string | null;
            id: string;
            idempotencyKey: string | null;
            input?: unknown;
            /** @description The final output (null until the run succeeds) */
            output?: unknown;
            scheduleId: string | null;
            startedAt: string | null;
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
            threadId: string | null;
            timeoutMs: number;
            webhookDeliveries: {
                at: string;
                attempt: number;
                error: string | null;
                status: number | null;
            }[];
            webhookUrl: string | null;
        };
        RunFinishedWebhook: {
            data: {
                agentId: string;
                createdAt: string;
                error: {
                    code: ("BAD_REQUEST" | "MALFORMED_JSON" | "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED" | "UNSUPPORTED_PARAMETER" | "ROUTE_NOT_FOUND" | "METHOD_NOT_ALLOWED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "INTERNAL" | "NOT_READY" | "TEMPLATE_NOT_FOUND" | "TEMPLATE_VERSION_NOT_FOUND" | "TEMPLATE_INCOMPATIBLE" | "TEMPLATE_INVALID" | "TEMPLATE_DUPLICATE" | "TEMPLATE_SERVICE_MISSING" | "TEMPLATE_REJECTED" | "AGENT_NOT_FOUND" | "AGENT_NAME_TAKEN" | "AGENT_PAUSED" | "CONFIG_INVALID" | "MIGRATION_FAILED" | "DOWNGRADE_REFUSED" | "REVISION_NOT_FOUND" | "API_KEY_NOT_FOUND" | "RUN_NOT_FOUND" | "RUN_FAILED" | "RUN_TIMEOUT" | "RUN_CANCELLED" | "RUN_INTERRUPTED" | "RUN_ALREADY_FINISHED" | "RUN_EXPIRED" | "RUN_DELETED" | "RUN_NOT_FINISHED" | "QUEUE_FULL" | "IDEMPOTENCY_CONFLICT" | "THREAD_NOT_FOUND" | "THREAD_BUSY" | "SCHEDULE_NOT_FOUND" | "SCHEDULE_INVALID" | "UPSTREAM_ERROR" | "RESPONSE_TOO_LARGE" | "OUTPUT_FORMAT_MISMATCH") | string;
                    details?: {
                        [key: string]: unknown;
                    };
                    message: string;
                } | null;
                finishedAt: string | null;
                id: string;
                /** @description The final output (null until the run succeeds) */
                output?: unknown;
                scheduleId: string | null;
                /** @enum {string} */
                status: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
                threadId: string | null;
            };
            /** @description When the run finished (ISO 8601) */
            timestamp: string;
            /** @enum {string} */
            type: "run.finished";
        };
        RunPage: {
            data: components["schemas"]["Run"][];
            nextCursor: string | null;
        };
        Schedule: {
            agentId: string;
            createdAt: string;
            cron: string;
            enabled: boolean;
            id: string;
            input?: unknown;
            lastRunAt: string | null;
            lastRunId: string | null;
            /** @description When it fires next (ISO 8601, UTC) */
            nextRunAt: string | null;
            overlap: components["schemas"]["ScheduleOverlap"];
            timezone: string;
            webhookUrl: string | null;
        };
        /**
         * @description What a tick does while the schedule's previous run is still queued or running: `skip` it (the default), `enqueue` it (it runs when the previous one ends; at most one tick waits, later ones are skipped meanwhile) or `allow` both to run
         * @enum {string}
         */
        ScheduleOverlap: "skip" | "enqueue" | "allow";
        SchedulePage: {
            data: components["schemas"]["Schedule"][];
            nextCursor: string | null;
        };
        Template: {
            description: string | null;
            latest: string;
            name: string;
            /** @description Newest first */
            versions: components["schemas"]["TemplateVersion"][];
        };
        TemplateList: {
            data: components["schemas"]["Template"][];
            rejected: components["schemas"]["RejectedTemplate"][];
        };
        TemplateStats: {
            name: string;
            versions: {
                /** @description `errors / runs`; 0 without runs */
                errorRate: number;
                /** @description Runs that failed (interrupted ones too) or timed out */
                errors: number;
                /** @description Median run duration (ms, start to end, nearest rank); null without runs */
                p50Ms: number | null;
                /** @description 95th percentile run duration (ms); null without runs */
                p95Ms: number | null;
                /** @description Runs that started and ended in the window */
                runs: number;
                version: string;
            }[];
            /**
             * @description The window: the last hour (ISO 8601 duration)
             * @enum {string}
             */
            window: "PT1H";
        };
        TemplateVersion: {
            /** @description `chat`: takes OpenAI chat messages; `threads`: keeps thread memory */
            capabilities: ("chat" | "threads")[];
            coreApi: string;
            description: string | null;
            /** @description The template's own error codes, as clients see them, with their HTTP status */
            errors: {
                code: string;
                description: string | null;
                status: number;
            }[];
            idempotent: boolean;
            /** @description Versions that carry a config migration */
            migrations: string[];
            packageName: string;
            schemaUrl: string;
            /** @description Host services the template uses */
            services: {
                id: string;
                optional: boolean;
            }[];
            version: string;
        };
        Thread: {
            /** @description The agent whose runs may use the thread; null: any agent */
            agentId: string | null;
            createdAt: string;
            /** @example thr_01jx3k9w2a7f0000000000000000 */
            id: string;
            metadata: {
                [key: string]: unknown;
            };
            /** @description Changes whenever a run is started on the thread */
            updatedAt: string;
        };
        /** @description One message of the thread's transcript, as the template that keeps its memory reports it */
        ThreadMessage: {
            content: string;
            id: string | null;
            /** @enum {string} */
            role: "user" | "assistant" | "system" | "tool";
        };
        ThreadMessages: {
            data: components["schemas"]["ThreadMessage"][];
        };
        ThreadPage: {
            data: components["schemas"]["Thread"][];
            nextCursor: string | null;
        };
        UpdateAgent: {
            config?: components["schemas"]["AgentConfig"] & unknown;
            description?: string | null;
            limits?: components["schemas"]["AgentLimitsChange"];
            /** @example support-bot */
            name?: string;
            retention?: {
                compactEventsAfter?: string | null;
                runMaxAge?: string | null;
                runMaxCount?: number | null;
                scheduleRunMaxCount?: number | null;
                storeCompletions?: boolean;
                threadIdleTimeout?: string | null;
            } | null;
        };
        UpdateApiKey: {
            name?: string;
            rateLimits?: components["schemas"]["ApiKeyRateLimits"] & unknown;
            scopes?: ("admin" | "invoke" | "read")[];
        };
        /** @description The fields to change. A new `cron` or `timezone`, or enabling, sets `nextRunAt` to the next fire time from now; time spent disabled is not caught up. */
        UpdateSchedule: {
            /**
             * @description 5-field cron, or 6 fields with seconds first; one that can never fire (`0 0 30 2 *`) is refused with 422 SCHEDULE_INVALID
             * @example 0 *\/15 * * * *
             */
            cron?: string;
            enabled?: boolean;
            input?: unknown;
            overlap?: components["schemas"]["ScheduleOverlap"];
            /** @example Europe/Berlin */
            timezone?: string;
            /**
             * Format: uri
             * @description `null` removes it
             */
            webhookUrl?: string | null;
        };
        UpgradeAgent: {
            /** @default false */
            dryRun?: boolean;
            /**
             * @description Target version or range (default: newest); it becomes the agent's stored range
             * @default *
             */
            to?: string;
        };
        UpgradeResult: {
            agent?: components["schemas"]["Agent"];
            appliedMigrations: string[];
            config: components["schemas"]["AgentConfig"];
            dryRun: boolean;
            errors?: {
                message: string;
                path: (string | number)[];
            }[];
            from: string;
            to: string;
            valid: boolean;
        };
    };
    responses: {
        /** @description Too many requests or runs waiting (`rate_limit_exceeded`) */
        OpenAITooManyRequests: {
            headers: {
                RateLimit: components["headers"]["RateLimit"];
                "RateLimit-Policy": components["headers"]["RateLimit-Policy"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["OpenAIError"];
            };
        };
        /** @description Too many requests (`RATE_LIMITED`, `QUEUE_FULL`) */
        TooManyRequests: {
            headers: {
                RateLimit: components["headers"]["RateLimit"];
                "RateLimit-Policy": components["headers"]["RateLimit-Policy"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description What is left of that limit: `r` more requests, `t` seconds until the window resets */
        RateLimit: string;
        /** @description The API key's limit for this route's scope class: quota `q` per window `w` seconds (draft-ietf-httpapi-ratelimit-headers) */
        "RateLimit-Policy": string;
        /** @description Seconds to wait before asking again */
        "Retry-After": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

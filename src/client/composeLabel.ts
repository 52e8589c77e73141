/** The label docker-compose and `docker compose` put on each container they start: its project's name. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

// This week's timetable, read from /api/v1/sessions/. No build step: a native ES module.
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long", day: "numeric", month: "long", timeZone: "Europe/London",
});
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit", minute: "2-digit", timeZone: "Europe/London",
});

const form = document.getElementById("filters");
const status = document.getElementById("status");
const days = document.getElementById("days");

async function fetchAll(url) {
  const sessions = [];
  while (url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || response.statusText);
    sessions.push(...body.results);
    url = body.next;
  }
  return sessions;
}

function sessionItem(session) {
  const item = document.createElement("li");
  const cancelled = session.status === "cancelled";
  item.className = cancelled ? "session cancelled" : "session";
  const title = document.createElement("strong");
  title.textContent = session.activity.title;
  const when = document.createElement("span");
  when.textContent = `${timeFormat.format(new Date(session.start))}–${timeFormat.format(new Date(session.end))}`;
  const where = document.createElement("span");
  where.textContent = `${session.venue.name}, ${session.room.name}`;
  const places = document.createElement("span");
  places.className = "places";
  if (cancelled) places.textContent = `Cancelled: ${session.cancel_reason}`;
  else if (!session.activity.booking_required) places.textContent = "Drop in, no booking";
  else places.textContent = session.places_left > 0 ? `${session.places_left} places left` : "Full";
  item.append(when, title, where, places);
  return item;
}

async function render() {
  const params = new URLSearchParams(new FormData(form));
  for (const [key, value] of [...params]) if (!value) params.delete(key);
  status.textContent = "Loading…";
  try {
    const sessions = await fetchAll(`/api/v1/sessions/?${params}`);
    days.replaceChildren();
    const byDay = Map.groupBy(sessions, (s) => dayFormat.format(new Date(s.start)));
    for (const [day, list] of byDay) {
      const section = document.createElement("section");
      const heading = document.createElement("h2");
      heading.textContent = day;
      const ul = document.createElement("ul");
      ul.append(...list.map(sessionItem));
      section.append(heading, ul);
      days.append(section);
    }
    status.textContent = sessions.length ? `${sessions.length} sessions` : "Nothing this week.";
  } catch (error) {
    status.textContent = `Could not load the timetable: ${error.message}`;
  }
}

form.addEventListener("change", render);
render();

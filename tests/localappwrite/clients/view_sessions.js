// What the team's old view_sessions.js did, with the official Node server SDK (node-appwrite): list the chat
// sessions, most recently seen first, then count each one's messages, one request after another, and print
// each session with the age of its last activity. Run by tests/localappwrite/test_node_sdk.py.
//   APPWRITE_ENDPOINT=… APPWRITE_PROJECT_ID=… APPWRITE_API_KEY=… DATABASE_ID=… node view_sessions.js
const sdk = require('node-appwrite');

const { APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID, APPWRITE_API_KEY, DATABASE_ID } = process.env;

function ago(iso, now) {
  const seconds = Math.floor((now - Date.parse(iso)) / 1000);
  for (const [size, unit] of [[86400, 'day'], [3600, 'hour'], [60, 'minute']]) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

async function main() {
  const client = new sdk.Client()
    .setEndpoint(APPWRITE_ENDPOINT)
    .setProject(APPWRITE_PROJECT_ID)
    .setKey(APPWRITE_API_KEY);
  const databases = new sdk.Databases(client);
  const sessions = await databases.listDocuments(DATABASE_ID, 'sessions', [
    sdk.Query.orderDesc('lastSeen'),
    sdk.Query.limit(25),
  ]);
  console.log(`Found ${sessions.total} sessions`);
  const now = Date.now();
  for (const session of sessions.documents) {
    const messages = await databases.listDocuments(DATABASE_ID, 'messages', [
      sdk.Query.equal('sessionId', session.sessionId),
      sdk.Query.limit(1),
    ]);
    console.log('-'.repeat(40));
    console.log(`Session ID: ${session.sessionId}`);
    console.log(`Status: ${session.status}`);
    console.log(`Start Time: ${session.startTime}`);
    console.log(`Last Seen: ${session.lastSeen} (${ago(session.lastSeen, now)})`);
    console.log(`Messages: ${messages.total}`);
  }
}

main().catch((error) => {
  console.error(`view_sessions failed: ${error.code} ${error.type}: ${error.message}`);
  process.exit(1);
});

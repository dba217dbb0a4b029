// A GraphQL subscription server built with the real subscriptions-transport-ws package, as
// Apollo Server 2 and 3 shipped it (on the ws package, keep-alives on). The schema is the SDL in
// $SDL; priceChanged(productId) pushes three prices, ticks one tick every 20 ms. With $TOKEN, the
// handshake and the connection_init payload must carry "Bearer $TOKEN". It prints its port, then
// one line per handshake: the subprotocols offered and whether an Authorization header came.
const http = require("http");
const { SubscriptionServer } = require("subscriptions-transport-ws");
const { buildSchema, execute, subscribe } = require("graphql");

const schema = buildSchema(process.env.SDL);
const fields = schema.getSubscriptionType().getFields();
fields.priceChanged.subscribe = async function* (_root, args) {
  for (const amount of [1.5, 2.0, 2.5]) {
    yield { priceChanged: { productId: args.productId, amount, currency: "EUR" } };
  }
};
fields.ticks.subscribe = async function* () {
  for (let tick = 1; ; tick += 1) {
    yield { ticks: tick };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const expected = process.env.TOKEN ? `Bearer ${process.env.TOKEN}` : null;
const server = http.createServer((_req, res) => res.writeHead(404).end());
server.on("upgrade", (req) => {
  const offered = req.headers["sec-websocket-protocol"] || "";
  console.log(JSON.stringify({ offered, authorised: req.headers.authorization === expected }));
});
SubscriptionServer.create(
  {
    schema,
    execute,
    subscribe,
    keepAlive: 1000,
    onConnect: (params) => {
      const given = params && params.headers && params.headers.authorization;
      if (expected && given !== expected) throw new Error("unauthorised");
      return {};
    },
  },
  { server, path: "/graphql" },
);
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));

"""Web push: the browser subscriptions of each user's devices, and sending to them."""

// Links lupine_low (layers.txt) without using it: what the check must refuse.
#pragma once
